import "reflect-metadata";
import { startClusterNode } from "./node.js";

/** One node as its own process: PORT, NODE_NAME, REDIS_URL from the environment. */
const port = Number(process.env.PORT ?? 8081);
const name = process.env.NODE_NAME ?? String(port);
startClusterNode({ port, name, redis: process.env.REDIS_URL, host: process.env.HOST }).then(
  (node) => {
    console.log(`node ${name}: http://localhost:${node.address.port}/`);
    const stop = (): void => void node.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  },
  (error: Error) => {
    console.error(`node ${name} could not start: ${error.message}`);
    process.exit(1);
  },
);
