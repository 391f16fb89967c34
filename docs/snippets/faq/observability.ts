import { bootstrap, type ServerHandle } from "ws-endpoints";
import { asyncApiToYaml, generateAsyncApi } from "ws-endpoints/asyncapi";
import { ShoutEndpoint } from "./explicit-payload.js";

/** Counters, a latency histogram and Prometheus text at /metrics on the same port. */
export function startObservable(port: number): Promise<ServerHandle> {
  return bootstrap({ endpoints: [ShoutEndpoint], port, metrics: { latency: true, prometheusPath: "/metrics" } });
}

/** The AsyncAPI 3.0 description of the same endpoints (also: `npx ws-endpoints asyncapi dist/app.js`). */
export function describeApi(): string {
  return asyncApiToYaml(generateAsyncApi([ShoutEndpoint], { title: "Shout API", version: "1.0.0", servers: { local: "ws://localhost:8080" } }));
}
