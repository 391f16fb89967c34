import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConnectOptions } from "../../src/client/client-options.js";
import { mergeCodecSettings } from "../../src/codec/codec-options.js";
import { resolveRedisOptions } from "../../src/redis/redis-options.js";
import { wsDeflateOptions } from "../../src/handshake/deflate.js";
import { resolveOptions } from "../../src/server/options.js";
import { resolveRateLimit } from "../../src/runtime/rate-limit.js";
import { ROOT } from "../support/cli-process.js";

/**
 * `bootstrap({ host: process.env.HOST })`: with exactOptionalPropertyTypes an optional option must
 * accept `undefined` in its type, and at run time `undefined` must mean "absent" (the default), never a
 * validation error nor a value that overrides a default or a global setting.
 */
const allUndefined = <K extends string>(keys: readonly K[]): Record<K, undefined> => Object.fromEntries(keys.map((k) => [k, undefined])) as Record<K, undefined>;

describe("optional options given as undefined", () => {
  it("type-check under exactOptionalPropertyTypes for every public options type (built declarations)", () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const run = () => execFileSync(process.execPath, [tsc, "-p", join(ROOT, "test", "fixtures", "exact-optional", "tsconfig.json")], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    expect(() => run()).not.toThrow();
  }, 120_000);

  it("bootstrap: every option undefined resolves exactly like no options", () => {
    const keys = [
      "endpoints", "port", "host", "server", "maxMessageSize", "closeTimeout", "coalesceWrites", "inboundQueueLimit", "handlerTimeout", "logger",
      "container", "codecs", "metrics", "configurator", "allowedOrigins", "handshakeTimeout", "maxConnections", "maxConnectionsPerIp", "trustProxy", "forwardedHeader",
      "perMessageDeflate", "heartbeatInterval", "maxIdleTimeout", "rateLimit", "outbound", "sendTimeout", "broker", "userId", "nodeId",
    ] as const;
    expect(resolveOptions(allUndefined(keys))).toEqual(resolveOptions({}));
  });

  it("bootstrap: undefined fields inside nested options are absent too", () => {
    const nested = resolveOptions({
      outbound: allUndefined(["maxMessages", "maxBytes", "highWaterMark", "policy"]),
      perMessageDeflate: allUndefined(["threshold", "level", "memLevel", "serverMaxWindowBits", "concurrencyLimit"]),
      rateLimit: { messagesPerSecond: 10, ...allUndefined(["burst", "policy"]) },
      metrics: allUndefined(["latency", "prometheusPath"]),
      codecs: { ...allUndefined(["decoders", "encoders", "invalidMessages", "validation"]), envelope: allUndefined(["typeField", "dataField", "idField"]) },
    });
    const plain = resolveOptions({ outbound: {}, perMessageDeflate: {}, rateLimit: { messagesPerSecond: 10 }, metrics: {}, codecs: { envelope: {} } });
    expect(nested.outbound).toEqual(plain.outbound);
    expect(nested.metrics).toEqual(plain.metrics);
    expect(resolveRateLimit(nested.rateLimit)).toEqual(resolveRateLimit(plain.rateLimit));
    expect(wsDeflateOptions(nested.perMessageDeflate)).toEqual(wsDeflateOptions(plain.perMessageDeflate));
  });

  it("an endpoint's undefined envelope field keeps the global one instead of overriding it", () => {
    const merged = mergeCodecSettings({ envelope: { typeField: "kind", dataField: "payload", idField: "ref" } }, { envelope: allUndefined(["typeField", "dataField", "idField"]) });
    expect([merged.typeField, merged.dataField, merged.idField]).toEqual(["kind", "payload", "ref"]);
  });

  it("connectToServer and reconnect: every option undefined resolves like none", () => {
    const keys = ["headers", "subprotocols", "handshakeTimeout", "reconnect", "heartbeat", "container", "logger", "inboundQueueLimit", "codecs"] as const;
    expect(resolveConnectOptions(allUndefined(keys))).toEqual(resolveConnectOptions({}));
    const reconnectKeys = ["initialDelay", "maxDelay", "multiplier", "jitter", "maxAttempts", "onNormalClose", "onRefusal", "instance", "bufferLimit", "bufferPolicy", "onReconnect"] as const;
    expect(resolveConnectOptions({ reconnect: allUndefined(reconnectKeys), heartbeat: allUndefined(["interval", "timeout"]) })).toEqual(
      resolveConnectOptions({ reconnect: {}, heartbeat: {} }),
    );
  });

  it("RedisBroker: every option undefined resolves like none", () => {
    const keys = ["redis", "cluster", "keyPrefix", "heartbeatInterval", "nodeTimeout", "connectTimeout", "logger", "onError"] as const;
    expect(resolveRedisOptions(allUndefined(keys))).toEqual(resolveRedisOptions({}));
  });
});
