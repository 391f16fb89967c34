import type { IncomingHttpHeaders } from "node:http";
import type { Logger } from "../metrics/logger.js";
import { checkOneOf } from "../util/check-options.js";
import { MAX_HOPS, readHops, type ForwardedHeader } from "./forwarded-header.js";
import { formatIp, inRange, parseIp, parseRanges, type IpGroups, type IpRange } from "./ip-address.js";

/**
 * Which proxies in front of the server are trusted to report the client's address, as Express's
 * `trust proxy` and Fastify's `trustProxy`:
 *
 * - `true`: every hop (the left-most forwarded address is the client's: only when the edge proxy
 *   overwrites the header);
 * - a number `n`: the `n` hops nearest the server are proxies (1 behind one nginx);
 * - addresses and CIDR ranges, as a list or a comma-separated string, and the names `"loopback"`,
 *   `"linklocal"`, `"uniquelocal"` (e.g. `"loopback, 10.0.0.0/8"`);
 * - a function `(address, hop) => boolean` (hop 0 is the peer of the TCP connection).
 *
 * `false` (the default) or `0` ignores forwarding headers.
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

function noop(): void {}

/** How one hop is judged: its parsed address and its distance from the server (0: the socket's peer). */
type Trust = (groups: IpGroups, hop: number) => boolean;

/** Problems with `trustProxy` and `forwardedHeader`, one sentence each. */
export function checkTrustProxy(value: unknown, header: unknown): string[] {
  const problems: string[] = [];
  checkOneOf(problems, "forwardedHeader", header, ["x-forwarded-for", "forwarded"]);
  if (header !== undefined && (value === undefined || value === false || value === 0)) {
    problems.push("forwardedHeader has no effect without trustProxy; set trustProxy to the proxies that write it, or remove forwardedHeader");
  }
  if (value === undefined || typeof value === "boolean" || typeof value === "function") return problems;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > MAX_HOPS) problems.push(`trustProxy as a hop count must be an integer from 0 to ${MAX_HOPS}; got ${value}`);
    return problems;
  }
  const entries = typeof value === "string" ? [value] : value;
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === "string")) {
    problems.push(`trustProxy must be a boolean, a hop count, addresses or CIDR ranges (a string or a list of strings), or a function (address, hop) => boolean; got ${JSON.stringify(value)}`);
    return problems;
  }
  for (const e of splitEntries(entries as readonly string[])) {
    try {
      parseRanges(e);
    } catch (error) {
      problems.push(`trustProxy: ${(error as Error).message}`);
    }
  }
  return problems;
}

function splitEntries(entries: readonly string[]): string[] {
  return entries.flatMap((e) => e.split(",")).map((e) => e.trim()).filter((e) => e !== "");
}

/**
 * The client address of upgrades behind trusted proxies. Built once per server; `null` when
 * `trustProxy` is off, so a server without proxies pays nothing.
 */
export class ProxyTrust {
  private readonly trust: Trust;
  private readonly maxHops: number;
  /** Whether a failing `trustProxy` function was logged already. */
  private warned = false;

  constructor(
    value: Exclude<TrustProxy, false>,
    private readonly header: ForwardedHeader,
    private readonly logger: Logger,
  ) {
    this.maxHops = typeof value === "number" ? value : MAX_HOPS;
    this.trust = this.compile(value);
  }

  /**
   * Walks from the socket's peer towards the client, as long as each hop is trusted: the address is the
   * first untrusted hop, or the farthest one the header reports. A hop reporting something that is not an
   * IP address ends the walk at that hop, so garbage is never an address.
   */
  clientAddress(headers: IncomingHttpHeaders, peer: string): string {
    const peerGroups = parseIp(peer);
    if (peerGroups === null || !this.trust(peerGroups, 0)) return peer;
    const raw = headers[this.header];
    if (typeof raw !== "string" || raw === "") return peer;
    const hops = readHops(raw, this.header, this.maxHops);
    let last: IpGroups | null = null;
    for (let i = 0; i < hops.length; i++) {
      const g = hops[i]!;
      if (g === null) break;
      last = g;
      // The left-most entry is the answer whether trusted or not (as in Express): no need to ask.
      if (i === hops.length - 1 || !this.trust(g, i + 1)) break;
    }
    return last === null ? peer : formatIp(last);
  }

  private compile(value: Exclude<TrustProxy, false>): Trust {
    if (value === true) return () => true;
    if (typeof value === "number") return (_g, hop) => hop < value;
    if (typeof value === "function") return this.guarded(value);
    const ranges: IpRange[] = splitEntries(typeof value === "string" ? [value] : value).flatMap(parseRanges);
    return (g) => {
      for (const r of ranges) if (inRange(g, r)) return true;
      return false;
    };
  }

  /**
   * A user function: truthy trusts, as in Express. A throw or a promise trusts nothing (the address is
   * that hop's) and is logged once per server, not per handshake.
   */
  private guarded(fn: (address: string, hop: number) => unknown): Trust {
    return (g, hop) => {
      let verdict: unknown;
      try {
        verdict = fn(formatIp(g), hop);
      } catch (error) {
        this.warnOnce(error, "trustProxy function threw; treating the hop as untrusted");
        return false;
      }
      if (typeof (verdict as PromiseLike<unknown> | null)?.then === "function") {
        // Its rejection is no one's to handle: do not let it become an unhandled rejection.
        (verdict as PromiseLike<unknown>).then(undefined, noop);
        this.warnOnce(undefined, "trustProxy function returned a promise; it must decide synchronously, so the hop is untrusted");
        return false;
      }
      return Boolean(verdict);
    };
  }

  private warnOnce(error: unknown, message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.error({ err: error }, message);
  }
}

/** The server's `ProxyTrust`, or null when `trustProxy` is off (`false`, `0` or unset). */
export function compileTrustProxy(value: TrustProxy | undefined, header: ForwardedHeader | undefined, logger: Logger): ProxyTrust | null {
  if (value === undefined || value === false || value === 0) return null;
  return new ProxyTrust(value, header ?? "x-forwarded-for", logger);
}
