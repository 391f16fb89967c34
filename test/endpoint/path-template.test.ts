import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { ServerEndpoint, OnMessage } from "../../src/index.js";
import { compileEndpoints } from "../../src/endpoint/compile-server.js";
import { parsePathTemplate } from "../../src/endpoint/path-template.js";
import { MALFORMED, Router } from "../../src/server/router.js";

function endpointAt(path: string) {
  @ServerEndpoint(path)
  class E {
    @OnMessage() m(text: string) {
      return text;
    }
  }
  Object.defineProperty(E, "name", { value: `E(${path})` });
  return E;
}

function routerFor(paths: string[]): Router {
  return new Router(compileEndpoints(paths.map(endpointAt), { maxMessageSize: 1024 }));
}

function routeOf(router: Router, path: string): string | null {
  const m = router.match(path);
  if (m === null || m === MALFORMED) return null;
  return m.endpoint.template.source;
}

describe("Router precedence (Jakarta rules)", () => {
  const router = routerFor(["/a", "/a/{v}", "/b/{x}", "/{y}/d", "/b/d/{z}", "/{p}/{q}/e", "/b/{x}/e", "/", "/{only}"]);
  it.each([
    ["/a", "/a"],
    ["/a/1", "/a/{v}"],
    ["/b/d", "/b/{x}"], // literal first segment beats variable
    ["/c/d", "/{y}/d"],
    ["/b/d/9", "/b/d/{z}"],
    ["/b/q/e", "/b/{x}/e"],
    ["/z/q/e", "/{p}/{q}/e"],
    ["/", "/"],
    ["/solo", "/{only}"],
    ["/a/", null], // /a/{v} needs a non-empty value
    ["/a/b/c", null],
    ["/x/y/z/w", null],
  ])("%s → %s", (path, expected) => {
    expect(routeOf(router, path)).toBe(expected);
  });

  it("decodes percent-encoded variables and reports malformed ones", () => {
    const r = routerFor(["/u/{name}"]);
    const m = r.match("/u/J%C3%BCrgen%20K");
    expect(m !== null && m !== MALFORMED && m.params).toEqual({ name: "Jürgen K" });
    expect(r.match("/u/%E0%A4%A")).toBe(MALFORMED);
  });
});

describe("parsePathTemplate", () => {
  it.each([
    ["chat", 'must start with "/"'],
    ["/a//b", "empty segment"],
    ["/a/", "empty segment"],
    ["/a/{x}/{x}", "uses {x} twice"],
    ["/a/x{y}", "malformed variable segment"],
    ["/a/{}", "malformed variable segment"],
    ["/a?b=1", "query string"],
    ["/a b", "not allowed"],
  ])("rejects %s", (path, message) => {
    const r = parsePathTemplate(path);
    expect("error" in r && r.error).toContain(message);
  });

  it("accepts templates and records variables in order", () => {
    const r = parsePathTemplate("/rooms/{room}/users/{id}");
    expect("error" in r ? r.error : r.variables).toEqual(["room", "id"]);
  });
});
