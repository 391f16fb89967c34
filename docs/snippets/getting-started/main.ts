import "reflect-metadata";
import { bootstrap } from "ws-endpoints";
import { EchoEndpoint } from "./echo-endpoint.js";

const port = Number(process.env.PORT ?? 8080);

// .then rather than top-level await: this file runs the same compiled to CommonJS or to ESM.
bootstrap({ endpoints: [EchoEndpoint], port }).then((app) => {
  console.log(`listening on ws://localhost:${app.address.port}/echo/{name}`);
  process.once("SIGTERM", () => void app.close()); // 1001 to every client, then exit
});
