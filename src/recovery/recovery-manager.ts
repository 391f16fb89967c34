import { deserialize, serialize } from "node:v8";
import type { BroadcastHub } from "../broker/hub.js";
import type { RoomRegistry } from "../broker/rooms.js";
import { CloseCodes } from "../close-reason.js";
import type { Logger } from "../metrics/logger.js";
import { OUT } from "../session/outbound-entry.js";
import { WsSession, type HandshakeInfo } from "../session/ws-session.js";
import type { ObjectEncoder } from "../codec/coders.js";
import { addressed, Handovers, idsOf, merge, OWNER_GONE } from "./handover.js";
import { PARKED_TRANSPORT } from "./parked-transport.js";
import type { ResolvedRecovery } from "./recovery-options.js";
import { SessionRecorder, type RecorderHost } from "./session-recorder.js";
import type { ClaimResult, RecoveryStore, RecoveryStoreListener, SessionBounds, SessionState, StoredMessage } from "./store.js";
import { hashToken, newToken, principalKey } from "./token.js";
import { encodeControl, readAsk, RecoveryRefusals, UNSUPPORTED_CONTROL, type RecoveryRefusal } from "../contract/recovery-wire.js";

/** What the handshake decided about one connection's recovery; `begin` applies it to the new session. */
export interface RecoveryTicket {
  readonly recovery: ResolvedRecovery | null;
  readonly endpoint: string;
  readonly principalKey: string;
  /** The token the session gets now. */
  readonly token: string;
  /** The client's offset (recovery) or 0. */
  readonly offset: number;
  /** The recovered session, or null (new session). */
  readonly claim: Extract<ClaimResult, { ok: true }> | null;
  readonly refused: RecoveryRefusal | undefined;
  /** Messages the previous holder on this node took for the session after the claim. */
  readonly handover: StoredMessage[];
  /** The session came from another node: the handover may repeat the last messages that node stored. */
  readonly remote: boolean;
  /** Replayed by the broker (the previous holder died): what it had not stored, before the handover. */
  readonly replayed: readonly StoredMessage[];
}

/** @hidden Internal options of the recovery manager. */
export interface RecoveryManagerOptions {
  /** How long a node taking a session over waits for its holder to let go, in ms (default 3000). */
  readonly handoverTimeout?: number;
  /** The clock (ms), for tests. */
  readonly now?: () => number;
}

/** Counters of recovery on one server. */
export interface RecoveryCounters {
  recovered: number;
  replayed: number;
  parked: number;
  expired: number;
  refused: Partial<Record<RecoveryRefusal, number>>;
}

const SWEEP_MS = 1000;

/**
 * @hidden Session recovery on one server: reads what a client asks at the handshake, claims its
 * session from the store, restores and replays it before `@OnOpen`, numbers everything a recoverable
 * session sends, and parks a session that dropped so broadcasts to it keep being recorded until its
 * client comes back or its window passes.
 */
export class RecoveryManager implements RecorderHost, RecoveryStoreListener {
  readonly counters: RecoveryCounters = { recovered: 0, replayed: 0, parked: 0, expired: 0, refused: {} };
  /** Recoverable sessions of this node, open or parked, by id: the holder a claim on this node takes over. */
  private readonly local = new Map<string, WsSession>();
  private readonly parked = new Map<string, { ghost: WsSession; expiresAt: number }>();
  /** Holders taken over by a claim not yet begun: what they record goes to the new session. */
  private readonly handovers = new Map<SessionRecorder, StoredMessage[]>();
  private sweeper: NodeJS.Timeout | null = null;
  private shuttingDown = false;
  private readonly nodeId: string;
  private readonly registry: RoomRegistry;
  private readonly handoverAsks: Handovers;
  private readonly now: () => number;

  constructor(
    readonly store: RecoveryStore,
    private readonly hub: BroadcastHub,
    private readonly logger: Logger,
    options: RecoveryManagerOptions = {},
  ) {
    this.nodeId = hub.nodeId;
    this.registry = hub.registry;
    this.now = options.now ?? Date.now;
    this.handoverAsks = new Handovers(hub, options.handoverTimeout ?? 3000, logger, (id) => this.letGo(id));
    store.bind?.(this);
  }

  /**
   * During the handshake, once the principal is known: null when the client did not ask for recovery,
   * else the ticket (a promise when the store answers asynchronously; it never rejects).
   */
  prepare(endpoint: string, encoder: ObjectEncoder, recovery: ResolvedRecovery | null, query: string, principal: unknown): RecoveryTicket | Promise<RecoveryTicket> | null {
    const ask = readAsk(query);
    if (ask === null) return null;
    const base = { recovery, endpoint, principalKey: principalKey(principal), token: newToken(), offset: 0, claim: null, refused: undefined, handover: [], remote: false, replayed: NONE };
    if (recovery === null || ask.token === "") return base;
    if (ask.offset < 0) return this.refusal(base, RecoveryRefusals.INVALID_OFFSET);
    const tokenHash = hashToken(ask.token);
    const claim = (): ClaimResult | Promise<ClaimResult> => this.store.claim({ tokenHash, principalKey: base.principalKey, endpoint, offset: ask.offset, nodeId: this.nodeId });
    const settle = (r: ClaimResult, early?: WsSession, replayed: readonly StoredMessage[] = NONE): RecoveryTicket => this.claimed(base, ask.token, ask.offset, r, principal, recovery, encoder, early, replayed);
    const peek = this.store.peek;
    if (peek === undefined) {
      let result: ClaimResult;
      try {
        result = claim() as ClaimResult;
      } catch (error) {
        this.logger.warn({ err: error }, "session recovery: the store failed; the client gets a new session");
        return this.refusal(base, RecoveryRefusals.STORE_UNAVAILABLE);
      }
      return settle(result);
    }
    // Asynchronous store (Redis): a holder on this node takes the session's messages, then the holder on
    // another node is asked to let go (the hand-over, docs/internals.md): none falls between them. A
    // holder that does not answer (dead) leaves a gap the broker replays when it can.
    let early: WsSession | undefined;
    const result = peek.call(this.store, tokenHash).then(async (found) => {
      let complete = true;
      // Another principal's (or endpoint's) token: the claim refuses it, and nobody is asked to let go.
      const foreign = found !== null && ((found.principalKey ?? base.principalKey) !== base.principalKey || (found.endpoint ?? endpoint) !== endpoint);
      if (found !== null && !foreign && !this.local.has(found.sessionId)) {
        early = this.pending(found.sessionId, found.state, principal, encoder, recovery);
        const owner = found.owner ?? "";
        if (owner === OWNER_GONE || owner === this.nodeId) complete = false;
        else if (owner !== "") complete = await this.handoverAsks.ask(found.sessionId, owner);
      }
      const r = await claim();
      if (!r.ok || complete || early === undefined) return settle(r, early);
      const replayed = await this.replay(early, r);
      if (replayed !== null) return settle(r, early, replayed);
      this.store.forget(r.sessionId, this.nodeId);
      return settle({ ok: false, reason: RecoveryRefusals.TRIMMED }, early);
    });
    return result.catch((error: unknown) => {
      if (early !== undefined) this.takeOver(early.id);
      this.logger.warn({ err: error }, "session recovery: the store could not be reached; the client gets a new session");
      return this.refusal(base, RecoveryRefusals.STORE_UNAVAILABLE);
    });
  }

  /** After the session exists (with the claimed id), before `@OnOpen` is queued: control message, restore, replay. */
  begin(session: WsSession, ticket: RecoveryTicket): void {
    const recovery = ticket.recovery;
    if (recovery === null) {
      session.submit(OUT.TEXT, UNSUPPORTED_CONTROL, true, undefined, undefined);
      return;
    }
    const claim = ticket.claim;
    let next = 0;
    if (claim !== null) {
      this.takeOver(claim.sessionId);
      for (const room of claim.state.rooms) session.join(room);
      const props = session.getUserProperties();
      for (const [k, v] of readProperties(claim.state.properties)) Map.prototype.set.call(props, k, v);
      next = claim.nextOffset;
    }
    session.submit(OUT.TEXT, encodeControl({ session: session.id, token: ticket.token, offset: ticket.offset, recovered: claim !== null, ...(ticket.refused ? { refused: ticket.refused } : {}) }), true, undefined, undefined);
    const bounds = { window: recovery.window, maxMessages: recovery.maxMessages, maxBytes: recovery.maxBytes };
    this.store.open({ sessionId: session.id, tokenHash: hashToken(ticket.token), principalKey: ticket.principalKey, endpoint: ticket.endpoint, bounds, nodeId: this.nodeId, origin: this.hub.stampIds ? this.hub.origin : undefined });
    if (claim !== null) {
      for (const m of claim.missed) session.submit(m.binary ? OUT.BINARY : OUT.TEXT, m.data, true, undefined, undefined);
      const handover = ticket.remote ? merge(ticket.replayed, ticket.handover, claim.ids ?? idsOf(claim.missed), claim.nextOffset) : ticket.handover;
      for (const m of handover) {
        session.submit(m.binary ? OUT.BINARY : OUT.TEXT, m.data, true, undefined, undefined);
        this.store.append(session.id, this.nodeId, m, bounds, this.hub.position());
        next = m.offset + 1;
      }
      this.counters.recovered++;
      this.counters.replayed += claim.missed.length + handover.length;
    }
    session.recorder = new SessionRecorder(this, session, next, claim !== null, bounds);
    this.local.set(session.id, session);
    if (claim !== null) this.changed(session.recorder as SessionRecorder);
  }

  /** Stops parking sessions on 1001 from here on: the server is shutting down and its clients will come back elsewhere. */
  shutdown(): void {
    this.shuttingDown = true;
  }

  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    const release = this.store.release;
    const released: Array<Promise<void>> = [];
    for (const [id, { ghost }] of this.parked) {
      this.registry.remove(ghost);
      ghost.recorder = null;
      // Nobody holds it from now on: the node that recovers it need not wait for this one.
      if (release !== undefined && this.local.get(id) === ghost) released.push(release.call(this.store, id, this.nodeId, true).catch(() => undefined));
    }
    this.parked.clear();
    await Promise.all(released);
  }

  /** Sessions parked on this node now. */
  get parkedNow(): number {
    return this.parked.size;
  }

  /** @hidden RecorderHost */
  write(recorder: SessionRecorder, offset: number, binary: boolean, data: Buffer | string, id: string | undefined): void {
    const message: StoredMessage = id === undefined ? { offset, binary, data } : { offset, binary, data, id };
    const taken = this.handovers.get(recorder);
    if (taken !== undefined) taken.push(message);
    else this.store.append(recorder.session.id, this.nodeId, message, recorder.bounds, this.hub.position());
  }

  /** @hidden RecorderHost: rooms or user properties changed; saved once at the end of the turn. */
  changed(recorder: SessionRecorder): void {
    if (recorder.saveQueued || this.parked.has(recorder.session.id)) return;
    recorder.saveQueued = true;
    queueMicrotask(() => {
      recorder.saveQueued = false;
      if (recorder.session.recorder === recorder) this.store.save(recorder.session.id, this.nodeId, stateOf(recorder.session), recorder.bounds, this.hub.position());
    });
  }

  /** @hidden RecorderHost: the session closes; it is parked when the close is one its client can recover from. */
  leaving(recorder: SessionRecorder, code: number | undefined, byServer: boolean): void {
    const session = recorder.session;
    if (this.local.get(session.id) === session) this.local.delete(session.id);
    if (this.handovers.has(recorder)) return;
    const recoverable = byServer ? code === CloseCodes.GOING_AWAY && this.shuttingDown : code === CloseCodes.CLOSED_ABNORMALLY;
    if (!recoverable) {
      this.store.forget(session.id, this.nodeId);
      return;
    }
    this.store.park(session.id, this.nodeId, stateOf(session), recorder.bounds, this.hub.position());
    const ghost = this.ghost(session.id, { ...session.info, userProperties: session.getUserProperties() }, session.encoder, session.getRooms(), recorder.nextOffset, recorder.bounds);
    this.parked.set(session.id, { ghost, expiresAt: this.now() + recorder.bounds.window });
    this.counters.parked++;
  }

  /** A holder on this node for a session another node held: built from its stored state, taking its messages for the claim. */
  private pending(id: string, state: SessionState, principal: unknown, encoder: ObjectEncoder, recovery: ResolvedRecovery): WsSession {
    const info: HandshakeInfo = { path: "", query: "", headers: "", remoteAddress: "", pathParams: {}, subprotocol: "", principal, userProperties: new Map(readProperties(state.properties)) };
    const bounds = { window: recovery.window, maxMessages: recovery.maxMessages, maxBytes: recovery.maxBytes };
    const ghost = this.ghost(id, info, encoder, state.rooms, 0, bounds);
    this.parked.set(id, { ghost, expiresAt: this.now() + recovery.window });
    this.handovers.set(ghost.recorder as SessionRecorder, []);
    return ghost;
  }

  /** Another node takes the session over: stop holding it here, and resolve once the store has all this node took for it. */
  private async letGo(sessionId: string): Promise<void> {
    const holder = this.local.get(sessionId);
    if (holder !== undefined && !(holder.recorder instanceof SessionRecorder && this.handovers.has(holder.recorder))) this.takeOver(sessionId);
    await this.store.release?.(sessionId, this.nodeId);
  }

  /**
   * The holder died before letting go: what the broker delivered after the position it had stored,
   * addressed to the session. Null when the broker no longer holds all of it.
   */
  private async replay(ghost: WsSession, r: Extract<ClaimResult, { ok: true }>): Promise<readonly StoredMessage[] | null> {
    if (r.position === undefined) return NONE;
    const replaying = this.hub.replay(r.position);
    if (replaying === null) return NONE;
    const { messages, complete } = await replaying;
    if (!complete) return null;
    return addressed(messages, ghost, this.registry, r.ids ?? idsOf(r.missed), r.ahead ?? 0, r.origin);
  }

  /** @hidden RecoveryStoreListener: another node recovered the session; this node lets go of it. */
  disowned(sessionId: string): void {
    const holder = this.local.get(sessionId);
    if (holder === undefined || (holder.recorder instanceof SessionRecorder && this.handovers.has(holder.recorder))) return;
    this.takeOver(sessionId);
  }

  /**
   * A parked session: a member of the room registry (quiet: presence does not count it) over a transport
   * that writes nothing, whose recorder stores what broadcasts and \`sendToUser\` send it.
   */
  private ghost(id: string, info: HandshakeInfo, encoder: ObjectEncoder, rooms: Iterable<string>, next: number, bounds: SessionBounds): WsSession {
    const ghost = new WsSession(PARKED_TRANSPORT, info, new Set(), encoder, id);
    for (const room of rooms) ghost.join(room);
    ghost.getUserProperties();
    ghost.recorder = new SessionRecorder(this, ghost, next, false, bounds);
    this.registry.addQuiet(ghost);
    this.local.set(id, ghost);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    return ghost;
  }

  /** A refused claim gives a new session with a new token; a recovered one keeps its token (a control message lost with its connection must not lock the client out). */
  private claimed(base: RecoveryTicket, token: string, offset: number, r: ClaimResult, principal: unknown, recovery: ResolvedRecovery, encoder: ObjectEncoder, early: WsSession | undefined, replayed: readonly StoredMessage[]): RecoveryTicket {
    if (!r.ok) {
      if (early !== undefined && this.local.get(early.id) === early) this.takeOver(early.id);
      return this.refusal(base, r.reason);
    }
    const accept = recovery.accept;
    if (accept !== undefined) {
      let verdict = false;
      try {
        verdict = accept({ sessionId: r.sessionId, principal, rooms: r.state.rooms, userProperties: new Map(readProperties(r.state.properties)), missed: r.missed.length });
      } catch (error) {
        this.logger.error({ err: error }, "recovery.accept threw; the session is not recovered");
      }
      if (verdict !== true) {
        this.takeOver(r.sessionId);
        this.store.forget(r.sessionId, this.nodeId);
        return this.refusal(base, RecoveryRefusals.REFUSED_BY_ENDPOINT);
      }
    }
    // The holder on this node (its parked session, or a connection the server has not seen drop yet)
    // keeps taking messages until `begin`, for the new session: nothing falls between them. A session
    // from another node gets a holder here, built from its stored state, from the claim on.
    let holder = this.local.get(r.sessionId);
    const remote = holder === undefined || holder === early;
    const ticket: RecoveryTicket = { ...base, token, offset, claim: r, remote, replayed };
    holder ??= this.pending(r.sessionId, r.state, principal, encoder, recovery);
    const recorder = holder.recorder as SessionRecorder;
    if (remote) {
      // Numbered from the claim: what it took before is compared with the stored tail in `begin`.
      const early = this.handovers.get(recorder) ?? [];
      for (const m of early) ticket.handover.push({ ...m, offset: r.nextOffset + ticket.handover.length });
      recorder.nextOffset = r.nextOffset + ticket.handover.length;
    }
    this.handovers.set(recorder, ticket.handover);
    return ticket;
  }

  /** Ends the previous holder of a claimed session on this node. */
  private takeOver(sessionId: string): void {
    const holder = this.local.get(sessionId);
    if (holder === undefined) return;
    this.local.delete(sessionId);
    if (holder.recorder instanceof SessionRecorder) this.handovers.delete(holder.recorder);
    holder.recorder = null;
    if (this.parked.delete(sessionId)) this.registry.remove(holder);
    else holder.transport.terminate();
  }

  private refusal(base: RecoveryTicket, reason: RecoveryRefusal): RecoveryTicket {
    this.counters.refused[reason] = (this.counters.refused[reason] ?? 0) + 1;
    // A new session: its first message is offset 0, whatever the client presented.
    return { ...base, offset: 0, refused: reason };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, p] of this.parked) {
      if (p.expiresAt > now) continue;
      this.parked.delete(id);
      if (this.local.get(id) === p.ghost) this.local.delete(id);
      p.ghost.recorder = null;
      this.registry.remove(p.ghost);
      this.counters.expired++;
    }
    if (this.parked.size === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }
}

/** What a session leaves for the node that recovers it: its rooms and the user properties that survive v8 serialization. */
function stateOf(session: WsSession): SessionState {
  const kept: Array<[string, unknown]> = [];
  for (const [k, v] of session.getUserProperties()) {
    try {
      serialize(v);
      kept.push([k, v]);
    } catch {
      // Not serialisable (a function, a socket): it stays behind, as documented.
    }
  }
  return { rooms: [...session.getRooms()], properties: kept.length === 0 ? EMPTY : serialize(kept) };
}

const EMPTY = Buffer.alloc(0);
const NONE: readonly StoredMessage[] = Object.freeze([]);

function readProperties(data: Buffer): Array<[string, unknown]> {
  return data.length === 0 ? [] : (deserialize(data) as Array<[string, unknown]>);
}
