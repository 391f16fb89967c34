import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { ErrorCodes, WebSocketEndpointError } from "../src/errors.js";

// docs/errors.md is the user's table of codes: keep it equal to ErrorCodes and the exported classes.
const rows = readFileSync(join(__dirname, "..", "docs", "errors.md"), "utf8")
  .split("\n")
  .map((line) => /^\| `(WSE_ERR_[A-Z_]+)` \| `(\w+)` \|/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => [m[1]!, m[2]!] as const);

describe("docs/errors.md", () => {
  it("lists every code exactly once", () => {
    expect(rows.map(([code]) => code).sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it("names an exported error class for every code, which is a WebSocketEndpointError", () => {
    for (const [, name] of rows) {
      const cls = (api as Record<string, unknown>)[name];
      expect(typeof cls, name).toBe("function");
      expect((cls as { prototype: unknown }).prototype instanceof WebSocketEndpointError, name).toBe(true);
    }
  });
});
