import "reflect-metadata";
import { startChat } from "./server.js";

const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0-65535); got ${JSON.stringify(process.env.PORT)}.`);
  process.exit(2);
}

startChat({ port, host: process.env.HOST }).then(
  (chat) => {
    const { port: actual } = chat.address;
    console.log(`Chat running: open http://localhost:${actual}/ in two browser windows (WebSocket at ws://localhost:${actual}/chat). Ctrl+C stops it.`);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) process.exit(1);
      stopping = true;
      console.log(`${signal}: closing connections (1001 GOING_AWAY)…`);
      void chat.close().then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  },
  (error: Error & { code?: string }) => {
    console.error(error.code === "EADDRINUSE" ? `Port ${port} is in use; start with PORT=8081 npm start.` : error.stack);
    process.exit(1);
  },
);
