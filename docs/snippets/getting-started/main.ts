import "reflect-metadata";
import { bootstrap } from "ws-endpoints";
import { EchoEndpoint } from "./echo-endpoint.js";

export async function main(port = 8080) {
  const app = await bootstrap({ endpoints: [EchoEndpoint], port });
  console.log(`listening on ws://localhost:${app.address.port}/echo/{name}`);
  process.once("SIGTERM", () => void app.close()); // 1001 to every client, then exit
  return app;
}
