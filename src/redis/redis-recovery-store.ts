import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from "ioredis";
import { InvalidOptionsError } from "../errors.js";
import { defaultLogger, type Logger } from "../metrics/logger.js";
import { requireOptionalPeer } from "../peers/optional-peer.js";
import type { ClaimRequest, ClaimResult, RecoveryStore, RecoveryStoreListener, RecoveryStoreStats, SessionBounds, SessionEntry, SessionState, StoredMessage } from "../recovery/store.js";
import { OWNER_GONE } from "../recovery/handover.js";
import type { RecoveryRefusal } from "../contract/recovery-wire.js";
import { checkDuration, checkInteger, checkKnownKeys } from "../util/check-options.js";

/** Options of {@link RedisRecoveryStore}. */
export interface RedisRecoveryStoreOptions {
  /** A Redis URL or ioredis options (Sentinel included). Default `redis://127.0.0.1:6379`. */
  redis?: string | RedisOptions | undefined;
  /** Redis Cluster instead of `redis`. A session's keys share one hash tag, so each script runs on one shard. */
  cluster?: { readonly nodes: readonly ClusterNode[]; readonly options?: ClusterOptions } | undefined;
  /** Namespace of the keys (default `wse`), like `RedisBroker`'s. */
  keyPrefix?: string | undefined;
  /** How long a token is still answered "expired" (rather than "unknown-token") after its window, in ms (default 60 000). */
  grace?: number | undefined;
  /**
   * Bytes of messages held in Redis for the sessions this node holds, open and parked (default 64 MiB, as
   * the memory store). Past it, the oldest session parked by this node is evicted: its client gets a new
   * session, refused `trimmed`. Each session is also bounded by its endpoint's `recovery.maxBytes`.
   */
  maxBytes?: number | undefined;
  /** Where failures are logged (default: warnings to stderr). */
  logger?: Logger | undefined;
}

/** Defaults of {@link RedisRecoveryStoreOptions}. */
export const REDIS_STORE_DEFAULTS = Object.freeze({ maxBytes: 64 * 1024 * 1024, grace: 60_000 });
const KNOWN: Readonly<Record<keyof RedisRecoveryStoreOptions, true>> = { redis: true, cluster: true, keyPrefix: true, grace: true, maxBytes: true, logger: true };

// KEYS: meta, stream. Every write checks that the caller still owns the session: a claim moves it, and
// the previous holder's writes are refused from then on (it is told, and lets go of the session).
// ARGV: owner, offset, binary, data, maxMessages, ttl, minMs, message id ('' none), broker position
// ('' unknown), maxBytes. Trims the oldest entries past the session's bounds (count, bytes, window),
// counting bytes as the memory store does (payload + 64). Returns {0} when not the owner, else
// {1, bytes held, entries trimmed, entries held}.
const APPEND = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return {0} end
redis.call('XADD', KEYS[2], '*', 'o', ARGV[2], 'b', ARGV[3], 'd', ARGV[4], 'i', ARGV[8])
local bytes = redis.call('HINCRBY', KEYS[1], 'bytes', string.len(ARGV[4]) + 64)
local n = redis.call('XLEN', KEYS[2])
local maxn, maxb, minms = tonumber(ARGV[5]), tonumber(ARGV[10]), tonumber(ARGV[7])
local trimmed = 0
while n > 0 do
  local e = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local old = tonumber(string.match(e[1], '^(%d+)')) < minms
  if not (n > maxn or (bytes > maxb and n > 1) or old) then break end
  redis.call('XDEL', KEYS[2], e[1])
  bytes = redis.call('HINCRBY', KEYS[1], 'bytes', -(string.len(e[2][6]) + 64))
  n = n - 1
  trimmed = trimmed + 1
end
redis.call('HSET', KEYS[1], 'next', tonumber(ARGV[2]) + 1)
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'pos', ARGV[9]) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {1, bytes, trimmed, n}`;
// The owner evicts a session it parked (its node's bound): the messages go, the token answers ARGV[2].
const EVICT = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'gone', ARGV[2], 'owner', '', 'bytes', 0)
return 1`;
const SAVE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'st', ARGV[2])
if ARGV[3] ~= '0' then redis.call('HSET', KEYS[1], 'exp', ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'pos', ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;
// The owner lets go: nobody owns the session until a claim (its further writes are refused). ARGV[2]:
// '' after a hand-over (the store has all it took), '-' when its node shuts down (what comes next is not taken).
const RELEASE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
return 1`;
const FORGET = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;
// ARGV: tokenHash, principalKey, endpoint, offset, node, now. Returns {reason} or
// {'ok', next, state, position, ahead, origin, (offset, binary, data, id)...}: every entry's id, the data of those the client missed.
const CLAIM = `
local m = redis.call('HMGET', KEYS[1], 'th', 'pk', 'ep', 'exp', 'next', 'st', 'pos', 'gone', 'org')
if not m[1] or m[1] ~= ARGV[1] then return {'unknown-token'} end
if m[8] then return {m[8]} end
local exp = tonumber(m[4])
if exp > 0 and exp <= tonumber(ARGV[6]) then return {'expired'} end
if m[3] ~= ARGV[3] then return {'endpoint-mismatch'} end
if m[2] ~= ARGV[2] then return {'principal-mismatch'} end
local off = tonumber(ARGV[4])
local nxt = tonumber(m[5])
local ahead = 0
-- The client can be ahead of the store: a node that died wrote to its socket before its last writes
-- reached Redis. It missed nothing the store knows of; numbering goes on from what it has.
if off > nxt then ahead = off - nxt; nxt = off end
local entries = redis.call('XRANGE', KEYS[2], '-', '+')
if off < nxt and (#entries == 0 or tonumber(entries[1][2][2]) > off) then return {'trimmed'} end
redis.call('HSET', KEYS[1], 'owner', ARGV[5], 'exp', 0, 'next', nxt)
local out = {'ok', tostring(nxt), m[6] or '', m[7] or '', tostring(ahead), m[9] or ''}
for _, e in ipairs(entries) do
  local f = e[2]
  table.insert(out, f[2]); table.insert(out, f[4])
  if tonumber(f[2]) >= off then table.insert(out, f[6]) else table.insert(out, '') end
  table.insert(out, f[8] or '')
end
return out`;

type Client = (Redis | Cluster) & {
  recAppend(meta: string, stream: string, ...args: Array<string | Buffer | number>): Promise<number[]>;
  recEvict(meta: string, stream: string, owner: string, reason: string): Promise<number>;
  recSave(meta: string, stream: string, ...args: Array<string | Buffer | number>): Promise<number>;
  recForget(meta: string, stream: string, owner: string): Promise<number>;
  recRelease(meta: string, stream: string, owner: string, next: string): Promise<number>;
  recClaimBuffer(meta: string, stream: string, ...args: Array<string | number>): Promise<Buffer[]>;
};

/**
 * The recovery store of a cluster: each recoverable session is a Redis hash (token hash, principal,
 * owner node, state) and a Redis Stream of the messages it was sent, trimmed by `recovery.maxMessages`
 * (XADD MAXLEN) and by the window (XTRIM MINID), and expiring with its window. A client can recover its
 * session on any node sharing the Redis.
 */
export class RedisRecoveryStore implements RecoveryStore {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly grace: number;
  private readonly logger: Logger;
  /** The token hash of each session this node opened or claimed, to refresh its index key. */
  private readonly tokenOf = new Map<string, string>();
  private listener: RecoveryStoreListener | null = null;
  private readonly maxBytes: number;
  /** Bytes and messages Redis holds for each session this node holds, as its last append reported. */
  private readonly held = new Map<string, { bytes: number; messages: number }>();
  /** Sessions this node parked (and the node that parked them), oldest first: the first evicted past `maxBytes`. */
  private readonly parkedHere = new Map<string, string>();
  private bytes = 0;
  private messages = 0;
  private trimmed = 0;
  private evicted = 0;
  private failures = 0;
  private warned = false;

  /** @throws InvalidOptionsError for bad options; MissingPeerDependencyError without ioredis. */
  constructor(options: string | RedisRecoveryStoreOptions = {}) {
    const o = typeof options === "string" ? { redis: options } : options;
    const problems: string[] = [];
    if (o === null || typeof o !== "object") throw new InvalidOptionsError("RedisRecoveryStore options must be a URL or an object.");
    checkKnownKeys(problems, "", o, KNOWN);
    if (o.redis !== undefined && o.cluster !== undefined) problems.push("pass either redis or cluster, not both");
    if (o.keyPrefix !== undefined && (typeof o.keyPrefix !== "string" || !/^[A-Za-z0-9._:-]{1,64}$/.test(o.keyPrefix))) {
      problems.push(`keyPrefix must be 1 to 64 letters, digits, ".", "_", ":" or "-"; got ${JSON.stringify(o.keyPrefix)}`);
    }
    checkDuration(problems, "grace", o.grace);
    checkInteger(problems, "maxBytes", o.maxBytes, { unit: "bytes" });
    if (problems.length > 0) throw new InvalidOptionsError(`Invalid RedisRecoveryStore options: ${problems.join("; ")}.`);
    this.prefix = o.keyPrefix ?? "wse";
    this.grace = o.grace ?? REDIS_STORE_DEFAULTS.grace;
    this.maxBytes = o.maxBytes ?? REDIS_STORE_DEFAULTS.maxBytes;
    this.logger = o.logger ?? defaultLogger;
    const { Cluster, Redis } = requireOptionalPeer<typeof import("ioredis")>("ioredis");
    // Writes fail at once during an outage (counted, logged once) instead of queueing without bound; so
    // does a command in flight when the connection drops (maxRetriesPerRequest 0): ioredis would keep it
    // and send it again once Redis is back, and a handshake waits on the claim with nothing else bounding it.
    const forced = { enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 0 };
    const redis = o.redis ?? "redis://127.0.0.1:6379";
    const client =
      o.cluster !== undefined
        ? new Cluster([...o.cluster.nodes], { ...o.cluster.options, ...forced, redisOptions: { ...o.cluster.options?.redisOptions, ...forced } })
        : typeof redis === "string"
          ? new Redis(redis, forced)
          : new Redis({ ...redis, ...forced });
    client.on("error", (e: Error) => this.logger.debug({ err: e }, "recovery store: Redis connection error"));
    client.defineCommand("recAppend", { numberOfKeys: 2, lua: APPEND });
    client.defineCommand("recSave", { numberOfKeys: 2, lua: SAVE });
    client.defineCommand("recForget", { numberOfKeys: 2, lua: FORGET });
    client.defineCommand("recRelease", { numberOfKeys: 2, lua: RELEASE });
    client.defineCommand("recEvict", { numberOfKeys: 2, lua: EVICT });
    client.defineCommand("recClaim", { numberOfKeys: 2, lua: CLAIM });
    this.client = client as Client;
  }

  /** Resolves once the connection to Redis is ready (writes before that fail and are counted). */
  ready(): Promise<void> {
    if (this.client.status === "ready") return Promise.resolve();
    return new Promise((resolve) => this.client.once("ready", () => resolve()));
  }

  bind(listener: RecoveryStoreListener): void {
    this.listener = listener;
  }

  open(e: SessionEntry): void {
    const [meta, stream] = this.keys(e.sessionId);
    const ttl = this.ttl(e.bounds);
    this.tokenOf.set(e.sessionId, e.tokenHash);
    const multi = this.client.multi();
    // HSETNX keeps what a claim left (next offset, state); a new session writes them all.
    multi.hsetnx(meta, "next", 0).hsetnx(meta, "exp", 0).hsetnx(meta, "st", "");
    multi.hset(meta, "th", e.tokenHash, "pk", e.principalKey, "ep", e.endpoint, "owner", e.nodeId, "org", e.origin ?? "");
    multi.pexpire(meta, ttl);
    this.track(multi.exec());
    this.track(this.client.set(this.indexKey(e.tokenHash), e.sessionId, "PX", ttl));
  }

  append(sessionId: string, nodeId: string, m: StoredMessage, bounds: SessionBounds, position?: string): void {
    const [meta, stream] = this.keys(sessionId);
    const minMs = Math.max(0, Date.now() - bounds.window);
    this.track(
      this.client.recAppend(meta, stream, nodeId, m.offset, m.binary ? 1 : 0, m.data, bounds.maxMessages, this.ttl(bounds), minMs, m.id ?? "", position ?? "", bounds.maxBytes).then((reply) => {
        if (reply[0] === 0) {
          this.let(sessionId);
          this.listener?.disowned(sessionId);
          return;
        }
        this.trimmed += reply[2]!;
        // Not if this node let go of it meanwhile (evicted, handed over): what Redis holds is not counted here.
        if (this.tokenOf.has(sessionId)) this.hold(sessionId, reply[1]!, reply[3]!);
      }),
    );
  }

  /** Records what Redis holds for a session of this node, and evicts this node's oldest parked sessions while past `maxBytes`. */
  private hold(sessionId: string, bytes: number, messages: number): void {
    const before = this.held.get(sessionId);
    this.bytes += bytes - (before?.bytes ?? 0);
    this.messages += messages - (before?.messages ?? 0);
    this.held.set(sessionId, { bytes, messages });
    for (const [oldest, nodeId] of this.parkedHere) {
      if (this.bytes <= this.maxBytes) break;
      if (oldest === sessionId) continue;
      this.let(oldest);
      this.evicted++;
      const [meta, stream] = this.keys(oldest);
      this.track(this.client.recEvict(meta, stream, nodeId, "trimmed"));
      this.listener?.disowned(oldest);
    }
  }

  /** This node no longer holds the session: its bytes no longer count here. */
  private let(sessionId: string): void {
    const h = this.held.get(sessionId);
    if (h !== undefined) {
      this.bytes -= h.bytes;
      this.messages -= h.messages;
      this.held.delete(sessionId);
    }
    this.parkedHere.delete(sessionId);
    this.tokenOf.delete(sessionId);
  }

  save(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void {
    this.write(sessionId, nodeId, state, 0, bounds, position);
  }

  park(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void {
    this.parkedHere.delete(sessionId);
    this.parkedHere.set(sessionId, nodeId);
    this.write(sessionId, nodeId, state, Date.now() + bounds.window, bounds, position);
    const token = this.tokenOf.get(sessionId);
    if (token !== undefined) this.track(this.client.set(this.indexKey(token), sessionId, "PX", this.ttl(bounds)));
  }

  async peek(tokenHash: string): Promise<{ sessionId: string; state: SessionState; owner: string | undefined; principalKey: string | undefined; endpoint: string | undefined } | null> {
    const sessionId = await this.client.get(this.indexKey(tokenHash));
    if (sessionId === null) return null;
    const [st, owner, pk, ep] = await this.client.hmgetBuffer(this.keys(sessionId)[0], "st", "owner", "pk", "ep");
    const state = st === null || st === undefined || st.length === 0 ? { rooms: [], properties: Buffer.alloc(0) } : decodeState(st);
    return { sessionId, state, owner: owner?.toString(), principalKey: pk?.toString(), endpoint: ep?.toString() };
  }

  async release(sessionId: string, nodeId: string, gone = false): Promise<void> {
    const [meta, stream] = this.keys(sessionId);
    this.let(sessionId);
    // On the connection of this node's appends, after them: when it answers, they are all in.
    await this.client.recRelease(meta, stream, nodeId, gone ? OWNER_GONE : "");
  }

  async claim(r: ClaimRequest): Promise<ClaimResult> {
    const sessionId = await this.client.get(this.indexKey(r.tokenHash));
    if (sessionId === null) return { ok: false, reason: "unknown-token" };
    const [meta, stream] = this.keys(sessionId);
    const out = await this.client.recClaimBuffer(meta, stream, r.tokenHash, r.principalKey, r.endpoint, r.offset, r.nodeId, Date.now());
    const head = out[0]!.toString();
    if (head !== "ok") return { ok: false, reason: head as RecoveryRefusal };
    const missed: StoredMessage[] = [];
    const ids = new Set<string>();
    for (let i = 6; i + 3 < out.length; i += 4) {
      const offset = Number(out[i]!.toString());
      const id = out[i + 3]!.length === 0 ? undefined : out[i + 3]!.toString();
      if (id !== undefined) ids.add(id);
      if (offset >= r.offset) missed.push({ offset, binary: out[i + 1]!.toString() === "1", data: out[i + 2]!, id });
    }
    this.tokenOf.set(sessionId, r.tokenHash);
    this.parkedHere.delete(sessionId);
    const state = out[2]!.length === 0 ? { rooms: [], properties: Buffer.alloc(0) } : decodeState(out[2]!);
    const position = out[3]!.length === 0 ? undefined : out[3]!.toString();
    const origin = out[5]!.length === 0 ? undefined : out[5]!.toString();
    return { ok: true, sessionId, state, missed, nextOffset: Number(out[1]!.toString()), ids, position, ahead: Number(out[4]!.toString()), origin };
  }

  forget(sessionId: string, nodeId: string): void {
    const [meta, stream] = this.keys(sessionId);
    const token = this.tokenOf.get(sessionId);
    this.tokenOf.delete(sessionId);
    this.let(sessionId);
    this.track(
      this.client.recForget(meta, stream, nodeId).then((owned) => {
        if (owned === 1 && token !== undefined) return this.client.del(this.indexKey(token));
        return 0;
      }),
    );
  }

  stats(): RecoveryStoreStats {
    return {
      sessions: this.tokenOf.size, parked: this.parkedHere.size, messages: this.messages, bytes: this.bytes, maxBytes: this.maxBytes, maxSessions: 0,
      trimmed: this.trimmed, evicted: this.evicted, failures: this.failures,
    };
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private write(sessionId: string, nodeId: string, state: SessionState, expiresAt: number, bounds: SessionBounds, position: string | undefined): void {
    const [meta, stream] = this.keys(sessionId);
    this.track(this.client.recSave(meta, stream, nodeId, encodeState(state), expiresAt, this.ttl(bounds), position ?? ""));
  }

  /** A session's keys share one hash tag: on Redis Cluster its scripts run on one shard. */
  private keys(sessionId: string): [string, string] {
    const tag = `{${this.prefix}:rec:${sessionId}}`;
    return [`${tag}:meta`, `${tag}:msgs`];
  }

  private indexKey(tokenHash: string): string {
    return `${this.prefix}:rec-token:${tokenHash}`;
  }

  private ttl(bounds: SessionBounds): number {
    return bounds.window + this.grace;
  }

  private track(p: Promise<unknown>): void {
    p.catch((error: unknown) => {
      this.failures++;
      if (!this.warned) {
        this.warned = true;
        this.logger.warn({ err: error }, "recovery store: a Redis write failed; sessions may not be recoverable until Redis is back");
      } else this.logger.debug({ err: error }, "recovery store: a Redis write failed");
    });
  }
}

/** State as one buffer: rooms as JSON, then the v8-serialized properties. */
function encodeState(state: SessionState): Buffer {
  const rooms = Buffer.from(JSON.stringify(state.rooms), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(rooms.length);
  return Buffer.concat([head, rooms, state.properties]);
}

function decodeState(data: Buffer): SessionState {
  const n = data.readUInt32BE(0);
  return { rooms: JSON.parse(data.subarray(4, 4 + n).toString("utf8")) as string[], properties: data.subarray(4 + n) };
}
