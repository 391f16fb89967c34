import type { PerMessageDeflateOptions as WsDeflateOptions } from "ws";

/**
 * permessage-deflate (RFC 7692), opt-in. Compression costs CPU and per-connection zlib memory and
 * reopens size attacks (a small frame inflating to a huge one), so it is off by default; when on,
 * inflated messages are still bounded by `maxMessageSize` and zlib state is bounded by these settings.
 */
export interface PerMessageDeflateOptions {
  /** Messages smaller than this many bytes are sent uncompressed (default 1024). */
  threshold?: number | undefined;
  /** zlib level 0–9 (default 1: fast). */
  level?: number | undefined;
  /** zlib memLevel 1–9 (default 8). */
  memLevel?: number | undefined;
  /** LZ77 window the server uses, 9–15 bits (default 12: 4 KiB). */
  serverMaxWindowBits?: number | undefined;
  /** Most zlib operations running at once per process (default 10). */
  concurrencyLimit?: number | undefined;
}

const RANGES: Record<keyof PerMessageDeflateOptions, readonly [number, number]> = {
  threshold: [0, 1024 * 1024 * 1024],
  level: [0, 9],
  memLevel: [1, 9],
  serverMaxWindowBits: [9, 15],
  concurrencyLimit: [1, 1024],
};

/** Problems with a `perMessageDeflate` option, one sentence each. */
export function checkDeflate(value: unknown, where: string): string[] {
  if (value === undefined || typeof value === "boolean") return [];
  if (typeof value !== "object" || value === null) return [`${where} must be a boolean or { threshold?, level?, memLevel?, serverMaxWindowBits?, concurrencyLimit? }`];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const range = RANGES[k as keyof PerMessageDeflateOptions];
    if (v === undefined && range !== undefined) continue; // absent
    if (range === undefined) problems.push(`${where} has unknown field "${k}" (known: ${Object.keys(RANGES).join(", ")})`);
    else if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      problems.push(`${where}.${k} must be an integer from ${range[0]} to ${range[1]}; got ${JSON.stringify(v)}`);
    }
  }
  return problems;
}

/** The `ws` option, built field by field: no context takeover either way, so no zlib window is kept between messages. */
export function wsDeflateOptions(value: boolean | PerMessageDeflateOptions): false | WsDeflateOptions {
  if (value === false) return false;
  const o: PerMessageDeflateOptions = value === true ? {} : value;
  return {
    threshold: o.threshold ?? 1024,
    concurrencyLimit: o.concurrencyLimit ?? 10,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: o.serverMaxWindowBits ?? 12,
    zlibDeflateOptions: { level: o.level ?? 1, memLevel: o.memLevel ?? 8 },
    zlibInflateOptions: { chunkSize: 16 * 1024 },
  };
}
