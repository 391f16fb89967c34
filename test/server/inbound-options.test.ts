import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../src/index.js";
import { resolveConnectOptions } from "../../src/client/client-options.js";
import { resolveOptions } from "../../src/server/options.js";

describe("inboundQueueBytes / inboundBudget options", () => {
  it("default to 4 MiB per session and 64 MiB per server", () => {
    const o = resolveOptions({});
    expect([o.inboundQueueBytes, o.inboundBudget]).toEqual([4 * 1024 * 1024, 64 * 1024 * 1024]);
  });

  it.each([
    [{ inboundQueueBytes: 0 }, "inboundQueueBytes must be a positive integer; got 0"],
    [{ inboundBudget: 1.5 }, "inboundBudget must be a positive integer; got 1.5"],
    [{ inboundQueueBytes: 2048, inboundBudget: 1024 }, "inboundBudget (1024) is below inboundQueueBytes (2048); raise inboundBudget or lower inboundQueueBytes"],
  ])("%j is refused, naming the field and the fix", (options, message) => {
    expect(() => resolveOptions(options)).toThrow(InvalidOptionsError);
    expect(() => resolveOptions(options)).toThrow(message);
  });
});

describe("connectToServer inboundQueueBytes", () => {
  it("defaults to 4 MiB and is checked like the server's", () => {
    expect(resolveConnectOptions({}).inboundQueueBytes).toBe(4 * 1024 * 1024);
    expect(() => resolveConnectOptions({ inboundQueueBytes: -1 })).toThrow("inboundQueueBytes must be a positive integer; got -1");
  });
});
