import type { Logger } from "../metrics/logger.js";
import type { WsSession } from "../session/ws-session.js";
import type { RoomMembership } from "../session/room-membership.js";
import type { Session } from "../session/session.js";
import { PresenceChangeKinds, type PresenceChange, type PresenceEntry, type PresenceRecord } from "./broker.js";

/**
 * Where a session's user id comes from, for `sendToUser` and presence:
 * - `"principal"` (default): the principal authentication established, when it is a string or number,
 *   or the `id` (else `sub`) property of an object principal;
 * - `{ property: "name" }`: the session user property `name`, picked up as soon as it is set;
 * - a function of the session, evaluated when the session opens and whenever a user property changes.
 */
export type UserIdSource = "principal" | { readonly property: string } | ((session: Session) => string | number | undefined);

/** Builds the resolver for a {@link UserIdSource}. */
export function userIdResolver(source: UserIdSource): (session: Session) => string | undefined {
  if (typeof source === "function") return (s) => asId(source(s));
  if (source === "principal") return (s) => fromPrincipal(s.getUserPrincipal());
  const property = source.property;
  return (s) => asId(s.getUserProperties().get(property));
}

function fromPrincipal(p: unknown): string | undefined {
  if (typeof p === "string" || typeof p === "number") return asId(p);
  if (p !== null && typeof p === "object") {
    const o = p as { id?: unknown; sub?: unknown };
    return asId(o.id) ?? asId(o.sub);
  }
  return undefined;
}

function asId(v: unknown): string | undefined {
  if (typeof v === "string") return v.length > 0 ? v : undefined;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

const NONE: ReadonlySet<WsSession> = new Set();

/** @hidden Where presence changes go (the hub, for its broker subscription). */
export interface PresenceSink {
  /** False while nothing takes changes (no broker): none is built, two objects per connection saved (T7). */
  readonly tracking: boolean;
  track(change: PresenceChange): void;
}

/**
 * This node's open sessions indexed by room and by user. Sessions report their joins and leaves here;
 * every change is forwarded to the broker as a {@link PresenceChange}. A session leaves the registry
 * (and every room) the moment it starts closing, so counts taken in `@OnClose` no longer include it.
 */
export class RoomRegistry implements RoomMembership {
  readonly sessions = new Set<WsSession>();
  private readonly rooms = new Map<string, Set<WsSession>>();
  private readonly users = new Map<string, Set<WsSession>>();
  private readonly userOf = new Map<WsSession, string>();
  /** Members that take messages but are not present (session recovery's parked sessions): no presence change is reported for them. */
  private readonly quiet = new WeakSet<WsSession>();
  private quietMembers = 0;

  constructor(
    private readonly resolveUser: (session: Session) => string | undefined,
    private readonly sink: PresenceSink,
    private readonly logger: Logger,
  ) {}

  /**
   * A member that receives room and user messages without being present: a parked session of session
   * recovery, which records what is sent to it while its client is away. `remove` takes it out again.
   */
  addQuiet(session: WsSession): void {
    if (this.sessions.has(session) || !session.isOpen()) return;
    this.quiet.add(session);
    this.quietMembers++;
    this.add(session);
  }

  /** A session opened. */
  add(session: WsSession): void {
    if (this.sessions.has(session) || !session.isOpen()) return;
    this.sessions.add(session);
    const user = this.safeResolve(session);
    if (user !== undefined) this.indexUser(session, user);
    session.bindRegistry(this);
    if (this.reports(session)) this.sink.track({ kind: PresenceChangeKinds.OPEN, sessionId: session.id, userId: user });
    const rooms = session.getRooms();
    if (rooms.size > 0) for (const room of rooms) this.joined(session, room);
  }

  /** A session is closing: it leaves every room and presence. Idempotent. */
  remove(session: WsSession): void {
    if (!this.sessions.delete(session)) return;
    const rooms = session.getRooms();
    if (rooms.size > 0) for (const room of rooms) this.left(session, room);
    if (this.users.size > 0) {
      const user = this.userOf.get(session);
      if (user !== undefined) this.unindexUser(session, user);
    }
    if (this.reports(session)) this.sink.track({ kind: PresenceChangeKinds.CLOSE, sessionId: session.id });
    if (this.quietMembers > 0 && this.quiet.delete(session)) this.quietMembers--;
  }

  /** A member session joined `room`. */
  joined(session: WsSession, room: string): void {
    if (!this.sessions.has(session)) return;
    let members = this.rooms.get(room);
    if (members === undefined) this.rooms.set(room, (members = new Set()));
    members.add(session);
    if (this.reports(session)) this.sink.track({ kind: PresenceChangeKinds.JOIN, sessionId: session.id, room });
  }

  /** A member session left `room`. */
  left(session: WsSession, room: string): void {
    const members = this.rooms.get(room);
    if (members === undefined || !members.delete(session)) return;
    if (members.size === 0) this.rooms.delete(room);
    if (this.reports(session)) this.sink.track({ kind: PresenceChangeKinds.LEAVE, sessionId: session.id, room, roomEmpty: members.size === 0 });
  }

  /** A user property changed: the user id may have too. */
  userMayHaveChanged(session: WsSession): void {
    if (!this.sessions.has(session)) return;
    const next = this.safeResolve(session);
    const prev = this.userOf.get(session);
    if (next === prev) return;
    if (prev !== undefined) this.unindexUser(session, prev);
    if (next !== undefined) this.indexUser(session, next);
    if (this.reports(session)) this.sink.track({ kind: PresenceChangeKinds.USER, sessionId: session.id, userId: next });
  }

  /** Open sessions in `room`, or every open session. */
  members(room?: string): ReadonlySet<WsSession> {
    return room === undefined ? this.sessions : (this.rooms.get(room) ?? NONE);
  }

  /** Open sessions of a user. */
  sessionsOf(userId: string): ReadonlySet<WsSession> {
    return this.users.get(userId) ?? NONE;
  }

  /** Present sessions in `room`, or on this node: members less parked ones. */
  presentCount(room?: string): number {
    if (this.quietMembers === 0) return this.members(room).size;
    let n = 0;
    for (const s of this.members(room)) if (!this.quiet.has(s)) n++;
    return n;
  }

  userIdOf(session: WsSession): string | undefined {
    return this.userOf.get(session);
  }

  entries(nodeId: string, room?: string): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    for (const s of this.members(room)) if (!this.quiet.has(s)) out.push({ sessionId: s.id, userId: this.userOf.get(s), nodeId });
    return out;
  }

  snapshot(): PresenceRecord[] {
    const out: PresenceRecord[] = [];
    for (const s of this.sessions) if (!this.quiet.has(s)) out.push({ sessionId: s.id, userId: this.userOf.get(s), rooms: [...s.getRooms()] });
    return out;
  }

  /** Whether a change of `session` goes to the sink: something takes changes, and the session is present (not parked). */
  private reports(session: WsSession): boolean {
    return this.sink.tracking && (this.quietMembers === 0 || !this.quiet.has(session));
  }

  private indexUser(session: WsSession, user: string): void {
    this.userOf.set(session, user);
    let set = this.users.get(user);
    if (set === undefined) this.users.set(user, (set = new Set()));
    set.add(session);
  }

  private unindexUser(session: WsSession, user: string): void {
    this.userOf.delete(session);
    const set = this.users.get(user);
    if (set !== undefined && set.delete(session) && set.size === 0) this.users.delete(user);
  }

  private safeResolve(session: WsSession): string | undefined {
    try {
      return this.resolveUser(session);
    } catch (error) {
      // A throwing user-id function must not break the session; it simply has no user id.
      this.logger.warn({ err: error, session: session.id }, "the userId function threw; the session has no user id");
      return undefined;
    }
  }
}
