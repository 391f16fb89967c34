import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkBoolean,
  checkDuration,
  checkHttpTokens,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkPositiveNumber,
  isHttpToken,
  MAX_TIMER_MS,
} from "../../src/util/check-options.js";

function problemsOf(check: (problems: string[]) => void): string[] {
  const problems: string[] = [];
  check(problems);
  return problems;
}

describe("option checkers: one sentence per bad field, naming it and what was given", () => {
  it("skip undefined (an unset option) and accept good values", () => {
    expect(
      problemsOf((p) => {
        checkInteger(p, "a", undefined);
        checkInteger(p, "a", 3);
        checkInteger(p, "port", 0, { min: 0, max: 65535 });
        checkDuration(p, "d", 0, { zeroDisables: true });
        checkDuration(p, "d", undefined);
        checkPositiveNumber(p, "r", 0.5);
        checkBoolean(p, "b", false);
        checkOneOf(p, "o", "x", ["x", "y"]);
        checkHttpTokens(p, "s", ["chat.v1", "a+b"]);
        checkKnownKeys(p, "", { a: 1 }, { a: true });
      }),
    ).toEqual([]);
  });

  it.each([
    [(p: string[]) => checkInteger(p, "maxConnections", 0), "maxConnections must be a positive integer; got 0"],
    [(p: string[]) => checkInteger(p, "bufferLimit", -1, { min: 0 }), "bufferLimit must be a non-negative integer; got -1"],
    [(p: string[]) => checkInteger(p, "maxBytes", 1.5, { unit: "bytes" }), "maxBytes must be a positive integer of bytes; got 1.5"],
    [(p: string[]) => checkInteger(p, "port", 70000, { min: 0, max: 65535 }), "port must be an integer from 0 to 65535; got 70000"],
    [(p: string[]) => checkInteger(p, "n", "3"), 'n must be a positive integer; got "3"'],
    [(p: string[]) => checkDuration(p, "connectTimeout", -1), "connectTimeout must be a positive integer of ms; got -1"],
    [(p: string[]) => checkDuration(p, "heartbeatInterval", -1, { zeroDisables: true }), "heartbeatInterval must be a non-negative integer of ms (0 disables it); got -1"],
    [(p: string[]) => checkDuration(p, "t", MAX_TIMER_MS + 1, { zeroDisables: true, max: MAX_TIMER_MS }), "t must be at most 2147483647 ms (use 0 to disable it); got 2147483648"],
    [(p: string[]) => checkPositiveNumber(p, "rate", Infinity), "rate must be a positive number; got Infinity"],
    [(p: string[]) => checkBoolean(p, "flag", "yes"), 'flag must be a boolean; got "yes"'],
    [(p: string[]) => checkOneOf(p, "policy", "block", ["await", "close"]), 'policy must be one of "await", "close"; got "block"'],
    [(p: string[]) => checkHttpTokens(p, "subprotocols", ["a b"]), 'subprotocols must be a list of HTTP tokens, e.g. ["chat.v1"]; got ["a b"]'],
    [(p: string[]) => checkKnownKeys(p, "metrics", { latency: true, histogram: 1 }, { latency: true, prometheusPath: true }), 'unknown option "metrics.histogram" (known: latency, prometheusPath)'],
  ])("%#: %s", (check, message) => {
    expect(problemsOf(check)).toEqual([message]);
  });

  it("HTTP tokens follow RFC 9110: no separators, spaces or empty names", () => {
    for (const ok of ["chat", "v1.json", "a!#$%&'*+-.^_`|~z"]) expect(isHttpToken(ok), ok).toBe(true);
    for (const bad of ["", "a b", "a,b", "a/b", "a;b", "ä", 1]) expect(isHttpToken(bad), String(bad)).toBe(false);
  });

  it("the HTTP token grammar is written once in src/", () => {
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts") && readFileSync(path, "utf8").includes("!#$%&'*+")) hits.push(path);
      }
    };
    walk(join(__dirname, "..", "..", "src"));
    expect(hits.map((h) => h.slice(h.indexOf("src")))).toEqual([join("src", "util", "check-options.ts")]);
  });
});
