import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { Configurator, OnMessage, ServerEndpoint, bootstrap, InvalidOptionsError, type HandshakeRequest } from "../../src/index.js";
import { OriginPolicy } from "../../src/handshake/origin.js";
import { TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

const ALLOWED = ["https://app.example.com", "https://*.partner.example", /^https:\/\/preview-\d+\.example\.dev$/, "http://localhost:3000"];

describe("OriginPolicy (the default checkOrigin)", () => {
  const policy = new OriginPolicy(ALLOWED);
  it.each([
    // origin, Host header, allowed
    [undefined, "api.example.com", true], // not a browser
    ["https://app.example.com", "api.example.com", true], // listed exactly
    ["HTTPS://APP.EXAMPLE.COM", "api.example.com", true], // case-insensitive
    ["https://app.example.com:443", "api.example.com", true], // default port is the same origin
    ["https://app.example.com:8443", "api.example.com", false], // another port is another origin
    ["http://app.example.com", "api.example.com", false], // another scheme is another origin
    ["https://a.partner.example", "api.example.com", true], // pattern, one label
    ["https://a.b.partner.example", "api.example.com", true], // pattern, two labels
    ["https://partner.example", "api.example.com", false], // pattern does not cover the apex
    ["https://evilpartner.example", "api.example.com", false],
    ["https://a.partner.example.evil.com", "api.example.com", false],
    ["https://preview-42.example.dev", "api.example.com", true], // RegExp
    ["https://preview-x.example.dev", "api.example.com", false],
    ["http://localhost:3000", "api.example.com", true],
    ["https://api.example.com", "api.example.com", true], // same host as the request
    ["https://api.example.com", "api.example.com:443", true],
    ["http://api.example.com:8080", "api.example.com:8080", true],
    ["http://api.example.com", "API.EXAMPLE.COM", true],
    ["https://evil.example", "api.example.com", false], // CSWSH
    ["null", "api.example.com", false], // sandboxed iframe, file://
    ["not a url", "api.example.com", false],
    ["https://evil.example", undefined, false],
  ])("Origin %s with Host %s → %s", (origin, host, allowed) => {
    expect(policy.allows(origin, host)).toBe(allowed);
  });

  it('"*" allows every origin', () => {
    expect(new OriginPolicy(["*"]).allows("https://evil.example", "api.example.com")).toBe(true);
  });

  it("with no list only same-host and origin-less requests pass", () => {
    const p = new OriginPolicy([]);
    expect(p.allows(undefined, "h")).toBe(true);
    expect(p.allows("http://h", "h")).toBe(true);
    expect(p.allows("http://other", "h")).toBe(false);
  });
});

class OnlyPartners extends Configurator {
  override checkOrigin(origin: string | undefined, request: HandshakeRequest): boolean {
    return origin === "https://partner.example" || super.checkOrigin(origin, request);
  }
}

@ServerEndpoint("/o")
class O {
  @OnMessage() echo(t: string) {
    return t;
  }
}

@ServerEndpoint({ path: "/p", configurator: OnlyPartners })
class P {
  @OnMessage() echo(t: string) {
    return t;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("origin check over the wire", () => {
  it.each([
    ["/o", undefined, 101],
    ["/o", "https://app.example.com", 101],
    ["/o", "https://evil.example", 403],
    ["/o", "http://127.0.0.1", 101], // same host as the Host header the client sent
    ["/p", "https://partner.example", 101], // the endpoint's configurator extends the default
    ["/p", "https://app.example.com", 101], // …and still applies allowedOrigins through super
    ["/p", "https://evil.example", 403],
  ])("%s with Origin %s → %i", async (path, origin, status) => {
    server = await TestServer.start([O, P], { allowedOrigins: ["https://app.example.com"], heartbeatInterval: 0 });
    const res = await rawRequest(server.handle.address.port, upgradeRequest(path, { Origin: origin ?? null }));
    expect(res.status).toBe(status);
    res.socket.destroy();
  });

  it("a browser-like ws client from a listed origin connects", async () => {
    server = await TestServer.start([O], { allowedOrigins: ["https://app.example.com"], heartbeatInterval: 0 });
    const c = await server.connect("/o", { origin: "https://app.example.com" });
    await c.send("hi");
    expect(await c.nextText()).toBe("hi");
  });

  it("a bad allowedOrigins entry is a bootstrap error naming it", async () => {
    await expect(bootstrap({ endpoints: [O], port: 0, allowedOrigins: ["app.example.com"] })).rejects.toThrow(InvalidOptionsError);
    await expect(bootstrap({ endpoints: [O], port: 0, allowedOrigins: ["app.example.com"] })).rejects.toThrow(/allowedOrigins entry "app\.example\.com"/);
  });
});
