import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { Configurator, type HandshakeRequest } from "ws-endpoints";
import { TestServer } from "ws-endpoints/testing";
import { ItemsEndpoint, timed } from "./pipeline.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class QueryUser extends Configurator {
  override authenticate(request: HandshakeRequest) {
    const name = request.queryParameters.get("user") ?? undefined;
    return name === undefined ? undefined : { name, roles: name === "root" ? ["admin"] : [] };
  }
}

describe("docs/pipeline.md", () => {
  it("guards, an endpoint interceptor, a filter and a global interceptor, as the page says", async () => {
    const lines: string[] = [];
    server = await TestServer.start([ItemsEndpoint], { configurator: QueryUser, interceptors: [timed((l) => lines.push(l))] });
    const anon = await server.connect("/items");
    await anon.send({ type: "delete", item: "a", id: 1 });
    expect(await anon.nextJson()).toEqual({ type: "error", code: "FORBIDDEN", errors: [], id: 1 });
    const bob = await server.connect("/items?user=bob");
    await bob.send({ type: "delete", item: "a", id: 2 });
    expect(await bob.nextJson()).toEqual({ type: "error", code: "FORBIDDEN", errors: [], id: 2 });
    const root = await server.connect("/items?user=root");
    await root.send({ type: "delete", item: "a", id: 3 });
    await root.send({ type: "delete", item: "b", id: 4 });
    expect(await root.nextJson()).toEqual({ ok: true, type: "deleted", item: "a", id: 3 });
    expect(await root.nextJson()).toEqual({ type: "error", code: "NOT_FOUND", message: "no item b", id: 4 });
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["ItemsEndpoint.delete", "ItemsEndpoint.delete"]);
  });
});
