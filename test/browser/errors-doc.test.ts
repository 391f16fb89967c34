import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as browser from "../../src/browser/index.js";

const doc = readFileSync(join(__dirname, "..", "..", "docs", "browser-client.md"), "utf8");
const section = doc.slice(doc.indexOf("## Errors"));
const rows = [...section.matchAll(/^\| (`[A-Z_]+`|the server's[^|]*) \| `(\w+)` \|/gm)].map((m) => ({ code: m[1]!, className: m[2]! }));

describe("docs/browser-client.md's error table (kept equal to the code)", () => {
  const exported = Object.entries(browser).filter(
    ([, v]) => typeof v === "function" && (v as { prototype: unknown }).prototype instanceof browser.BrowserClientError,
  );

  it("lists every error class of ws-endpoints/browser once", () => {
    expect(rows.map((r) => r.className).sort()).toEqual(exported.map(([k]) => k).sort());
  });

  it("gives each class's code (RequestError's is the server's)", () => {
    const samples: Record<string, browser.BrowserClientError> = {
      RequestTimeoutError: new browser.RequestTimeoutError("join", 1),
      ConnectionClosedError: new browser.ConnectionClosedError("closed", 1006),
      BufferOverflowError: new browser.BufferOverflowError("full"),
      ClientOptionsError: new browser.ClientOptionsError("bad"),
      RequestError: new browser.RequestError("VALIDATION_FAILED", "bad"),
    };
    for (const { code, className } of rows) {
      const error = samples[className]!;
      expect(error.name, className).toBe(className);
      expect(code, className).toBe(className === "RequestError" ? "the server's (`VALIDATION_FAILED`, …)" : `\`${error.code}\``);
    }
  });
});
