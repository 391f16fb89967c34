import { InvalidOptionsError } from "../errors.js";
import { checkInteger, checkKnownKeys } from "../util/check-options.js";
import { RecoveryRefusals, type RecoveryRefusal } from "../contract/recovery-wire.js";
import type { ClaimRequest, ClaimResult, RecoveryStore, RecoveryStoreStats, SessionBounds, SessionEntry, SessionState, StoredMessage } from "./store.js";

/** Options of {@link MemoryRecoveryStore}. */
export interface MemoryRecoveryStoreOptions {
  /** Bytes of messages held for all sessions together (default 64 MiB). Past it, the oldest parked sessions are evicted, then the writing session's oldest messages trimmed. */
  maxBytes?: number | undefined;
  /** Sessions held, open and parked (default 10 000). Past it, the oldest parked session is evicted (else the oldest open one). */
  maxSessions?: number | undefined;
}

/** Defaults of {@link MemoryRecoveryStoreOptions}. */
export const MEMORY_STORE_DEFAULTS = Object.freeze({ maxBytes: 64 * 1024 * 1024, maxSessions: 10_000 });
const KNOWN: Readonly<Record<keyof MemoryRecoveryStoreOptions, true>> = { maxBytes: true, maxSessions: true };
/** Bytes counted for each held message besides its payload (the record and array slot). */
const MESSAGE_OVERHEAD = 64;
const SWEEP_MS = 1000;

interface Held {
  readonly sessionId: string;
  readonly tokenHash: string;
  readonly principalKey: string;
  readonly endpoint: string;
  bounds: SessionBounds;
  owner: string;
  readonly messages: StoredMessage[];
  head: number;
  bytes: number;
  nextOffset: number;
  /** Offsets below this were trimmed: a client that needs one cannot be recovered completely. */
  trimmedBelow: number;
  state: SessionState;
  /** 0 while open; when parked, the time its window ends. */
  expiresAt: number;
}

/**
 * The recovery store of one node: messages and state in this process's memory, bounded in bytes and
 * sessions. Every operation is synchronous, so a recovery on the same node is exact.
 */
export class MemoryRecoveryStore implements RecoveryStore {
  private readonly maxBytes: number;
  private readonly maxSessions: number;
  private readonly held = new Map<string, Held>();
  private readonly tokens = new Map<string, string>();
  /** Why a token no longer works, for the client's refusal reason; bounded like sessions. */
  private readonly gone = new Map<string, RecoveryRefusal>();
  private bytes = 0;
  private messages = 0;
  private parked = 0;
  private trimmed = 0;
  private evicted = 0;
  private sweeper: NodeJS.Timeout | null = null;

  /**
   * @param options bounds.
   * @param now @hidden the clock (ms), for tests that move time past a window instead of waiting.
   */
  constructor(
    options: MemoryRecoveryStoreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    const problems: string[] = [];
    if (options === null || typeof options !== "object") throw new InvalidOptionsError("MemoryRecoveryStore options must be an object.");
    checkKnownKeys(problems, "", options, KNOWN);
    checkInteger(problems, "maxBytes", options.maxBytes, { unit: "bytes" });
    checkInteger(problems, "maxSessions", options.maxSessions);
    if (problems.length > 0) throw new InvalidOptionsError(`Invalid MemoryRecoveryStore options: ${problems.join("; ")}.`);
    this.maxBytes = options.maxBytes ?? MEMORY_STORE_DEFAULTS.maxBytes;
    this.maxSessions = options.maxSessions ?? MEMORY_STORE_DEFAULTS.maxSessions;
  }

  open(e: SessionEntry): void {
    const existing = this.held.get(e.sessionId);
    if (existing !== undefined) {
      // Recovered under a new token: the claim already handed it over.
      existing.bounds = e.bounds;
      return;
    }
    while (this.held.size >= this.maxSessions) this.evictOne();
    this.held.set(e.sessionId, {
      sessionId: e.sessionId, tokenHash: e.tokenHash, principalKey: e.principalKey, endpoint: e.endpoint, bounds: e.bounds, owner: e.nodeId,
      messages: [], head: 0, bytes: 0, nextOffset: 0, trimmedBelow: 0, state: { rooms: [], properties: EMPTY }, expiresAt: 0,
    });
    this.tokens.set(e.tokenHash, e.sessionId);
  }

  append(sessionId: string, nodeId: string, message: StoredMessage, bounds: SessionBounds): void {
    const h = this.held.get(sessionId);
    if (h === undefined || h.owner !== nodeId) return;
    h.messages.push(message);
    const size = sizeOf(message);
    h.bytes += size;
    this.bytes += size;
    this.messages++;
    h.nextOffset = message.offset + 1;
    while (h.messages.length - h.head > bounds.maxMessages || (h.bytes > bounds.maxBytes && h.messages.length - h.head > 1)) this.trimOldest(h);
    while (this.bytes > this.maxBytes && this.evictParked(h)) {
      // evicted the oldest parked session
    }
    while (this.bytes > this.maxBytes && h.messages.length - h.head > 0) this.trimOldest(h);
  }

  save(sessionId: string, nodeId: string, state: SessionState): void {
    const h = this.held.get(sessionId);
    if (h !== undefined && h.owner === nodeId) h.state = state;
  }

  park(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds): void {
    const h = this.held.get(sessionId);
    if (h === undefined || h.owner !== nodeId || h.expiresAt !== 0) return;
    h.state = state;
    h.expiresAt = this.now() + bounds.window;
    this.parked++;
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  claim(r: ClaimRequest): ClaimResult {
    const id = this.tokens.get(r.tokenHash);
    const h = id === undefined ? undefined : this.held.get(id);
    if (h === undefined) return refuse(this.gone.get(r.tokenHash) ?? RecoveryRefusals.UNKNOWN_TOKEN);
    if (h.expiresAt !== 0 && h.expiresAt <= this.now()) {
      this.drop(h, RecoveryRefusals.EXPIRED);
      return refuse(RecoveryRefusals.EXPIRED);
    }
    if (h.endpoint !== r.endpoint) return refuse(RecoveryRefusals.ENDPOINT_MISMATCH);
    if (h.principalKey !== r.principalKey) return refuse(RecoveryRefusals.PRINCIPAL_MISMATCH);
    if (r.offset < 0 || r.offset > h.nextOffset) return refuse(RecoveryRefusals.INVALID_OFFSET);
    if (r.offset < h.trimmedBelow) return refuse(RecoveryRefusals.TRIMMED);
    const missed: StoredMessage[] = [];
    const ids = new Set<string>();
    for (let i = h.head; i < h.messages.length; i++) {
      const m = h.messages[i]!;
      if (m.offset >= r.offset) missed.push(m);
      if (m.id !== undefined) ids.add(m.id);
    }
    h.owner = r.nodeId;
    if (h.expiresAt !== 0) this.parked--;
    h.expiresAt = 0;
    return { ok: true, sessionId: h.sessionId, state: h.state, missed, nextOffset: h.nextOffset, ids };
  }

  forget(sessionId: string, nodeId: string): void {
    const h = this.held.get(sessionId);
    if (h !== undefined && h.owner === nodeId) this.drop(h, RecoveryRefusals.UNKNOWN_TOKEN);
  }

  stats(): RecoveryStoreStats {
    return {
      sessions: this.held.size, parked: this.parked, messages: this.messages, bytes: this.bytes,
      maxBytes: this.maxBytes, maxSessions: this.maxSessions, trimmed: this.trimmed, evicted: this.evicted, failures: 0,
    };
  }

  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private sweep(): void {
    const now = this.now();
    for (const h of this.held.values()) if (h.expiresAt !== 0 && h.expiresAt <= now) this.drop(h, RecoveryRefusals.EXPIRED);
    if (this.parked === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private trimOldest(h: Held): void {
    const m = h.messages[h.head]!;
    h.messages[h.head++] = undefined as unknown as StoredMessage;
    const size = sizeOf(m);
    h.bytes -= size;
    this.bytes -= size;
    this.messages--;
    this.trimmed++;
    h.trimmedBelow = m.offset + 1;
    // Compact once the dead prefix is half the array: amortised O(1) per message.
    if (h.head > 32 && h.head * 2 > h.messages.length) {
      h.messages.splice(0, h.head);
      h.head = 0;
    }
  }

  private evictParked(except: Held): boolean {
    for (const h of this.held.values()) {
      if (h !== except && h.expiresAt !== 0) {
        this.drop(h, RecoveryRefusals.TRIMMED);
        this.evicted++;
        return true;
      }
    }
    return false;
  }

  private evictOne(): void {
    if (this.evictParked(undefined as unknown as Held)) return;
    const oldest = this.held.values().next().value as Held;
    this.drop(oldest, RecoveryRefusals.TRIMMED);
    this.evicted++;
  }

  private drop(h: Held, reason: RecoveryRefusal): void {
    if (!this.held.delete(h.sessionId)) return;
    this.bytes -= h.bytes;
    this.messages -= h.messages.length - h.head;
    if (h.expiresAt !== 0) this.parked--;
    this.tokens.delete(h.tokenHash);
    this.remember(h.tokenHash, reason);
  }

  private remember(tokenHash: string, reason: RecoveryRefusal): void {
    this.gone.set(tokenHash, reason);
    if (this.gone.size > this.maxSessions) this.gone.delete(this.gone.keys().next().value as string);
  }
}

const EMPTY = Buffer.alloc(0);

/** Bytes a held message costs: its payload (a string counted at two bytes a character, V8's worst case) and the record. */
function sizeOf(m: StoredMessage): number {
  return (typeof m.data === "string" ? 2 * m.data.length : m.data.length) + MESSAGE_OVERHEAD;
}

function refuse(reason: RecoveryRefusal): ClaimResult {
  return { ok: false, reason };
}
