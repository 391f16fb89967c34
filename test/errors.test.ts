import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

const doc = readFileSync(join(__dirname, "..", "docs", "errors.md"), "utf8");
const rows = [...doc.matchAll(/^\| `(WSE_ERR_[A-Z_]+)` \| `(\w+)` \|/gm)].map((m) => ({ code: m[1]!, className: m[2]! }));

describe("error codes (fastify-style: table kept equal to the code)", () => {
  it("docs/errors.md lists exactly the codes in ErrorCodes, once each", () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.values(api.ErrorCodes).sort());
  });

  it("every documented class is exported, extends WebSocketEndpointError and carries its code", () => {
    for (const { code, className } of rows) {
      const Cls = (api as Record<string, unknown>)[className];
      expect(typeof Cls, `${className} is exported from ws-endpoints`).toBe("function");
      expect((Cls as { prototype: unknown }).prototype).toBeInstanceOf(api.WebSocketEndpointError);
      const source = readFileSync(join(__dirname, "..", "src", "errors.ts"), "utf8");
      const body = source.slice(source.indexOf(`class ${className} `));
      const key = Object.entries(api.ErrorCodes).find(([, v]) => v === code)![0];
      expect(body.slice(0, body.indexOf("\n}")), `${className} uses ErrorCodes.${key}`).toContain(`ErrorCodes.${key}`);
    }
  });

  it("every exported error class is documented", () => {
    const exported = Object.entries(api)
      .filter(([, v]) => typeof v === "function" && (v as { prototype: unknown }).prototype instanceof api.WebSocketEndpointError)
      // A deprecated alias (HandshakeRejected) is the same class under its old name, documented by its class.
      .filter(([k, v]) => (v as { name: string }).name === k)
      .map(([k]) => k);
    expect(exported.sort()).toEqual(rows.map((r) => r.className).sort());
  });
});
