import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { SearchEndpoint } from "./search-endpoint.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/endpoints.md: SearchEndpoint (@QueryParam, @ErrorParam)", () => {
  it.each([
    ["/search?q=ws&page=2&live=true", 'page 2 of "ws", live'],
    ["/search", 'page 1 of ""'],
    ["/search?page=3&page=9&q=a%20b&live=false", 'page 3 of "a b"'],
    ["/search?page=1e1", 'page 10 of ""'],
  ])("%s → %s", async (path, greeting) => {
    server = await TestServer.start([SearchEndpoint]);
    const c = await server.connect(path);
    expect(await c.nextText()).toBe(greeting);
    await c.send("next");
    expect(await c.nextText()).toMatch(/^page \d+$/);
  });

  it("@ErrorParam receives what the handler threw; the session stays open", async () => {
    server = await TestServer.start([SearchEndpoint]);
    const c = await server.connect("/search?page=4");
    await c.nextText();
    await c.send("back");
    expect(await c.nextText()).toContain('unknown command "back"');
    await c.send("next");
    expect(await c.nextText()).toBe("page 5");
  });

  it("endpoints.md shows it in its Query parameters section and documents @ErrorParam", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "endpoints.md"), "utf8");
    expect(doc).toContain("## Query parameters\n\n<!-- snippet: docs/snippets/endpoints/search-endpoint.ts -->");
    expect(doc).toContain("## The error parameter (`@ErrorParam`)");
  });
});
