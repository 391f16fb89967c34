import type { PerMessageDeflateOptions as WsDeflateOptions } from "ws";
import { checkInteger, checkKnownKeys } from "../util/check-options.js";

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

const KNOWN: Readonly<Record<keyof PerMessageDeflateOptions, true>> = { threshold: true, level: true, memLevel: true, serverMaxWindowBits: true, concurrencyLimit: true };

/** Problems with a `perMessageDeflate` option, one sentence each. */
export function checkDeflate(value: unknown, where: string): string[] {
  if (value === undefined || typeof value === "boolean") return [];
  if (typeof value !== "object" || value === null) return [`${where} must be a boolean or { threshold?, level?, memLevel?, serverMaxWindowBits?, concurrencyLimit? }`];
  const problems: string[] = [];
  checkKnownKeys(problems, where, value, KNOWN);
  const v = value as Record<string, unknown>;
  for (const [k, [min, max]] of Object.entries(RANGES)) checkInteger(problems, `${where}.${k}`, v[k], { min, max });
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
