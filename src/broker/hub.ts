import { randomBytes, randomUUID } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import { BrokerError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { SPAN_KIND, type Tracing } from "../metrics/tracing.js";
import type { WsSession } from "../session/ws-session.js";
import { toBuffer } from "../session/remotes.js";
import { checkRoom } from "../session/room-name.js";
import { unpinned } from "../session/retained-bytes.js";
import { Session } from "../session/session.js";
import { TextMessage } from "../session/text-message.js";
import { currentDelivery, deliverLocally, PreparedMessage, type LocalOutcome, type Outgoing } from "./broadcast.js";
import { Broadcaster, Presence, type BroadcastData, type BroadcastOptions, type BroadcastResult } from "./broadcaster.js";
import {
  BrokerMessageKinds,
  PayloadKinds,
  type Broker,
  type BrokerMessage,
  type BrokerNode,
  type BrokerPayload,
  type BrokerSubscription,
  type PresenceChange,
  type PresenceEntry,
  type PresenceRecord,
} from "./broker.js";
import { RoomRegistry, userIdResolver, type PresenceSink, type UserIdSource } from "./rooms.js";

/**
 * The room of the hub's own control messages (session recovery's hand-over between nodes): never
 * delivered to sessions, handed to {@link BroadcastHub.control}.
 */
export const CONTROL_ROOM = "\u0000wse:control";

/** What a hub needs from the server that owns it. */
export interface HubSettings {
  readonly nodeId: string | undefined;
  readonly userId: UserIdSource;
  readonly logger: Logger;
  /** Carries the sender's trace across the broker and spans deliveries from other nodes; null: off. */
  readonly tracing?: Tracing | null;
}

/**
 * @hidden The node's side of broadcasting: local delivery through the room registry, publishing to
 * the broker for the other nodes, and delivery of what the other nodes publish.
 */
export class BroadcastHub extends Broadcaster implements BrokerNode, PresenceSink {
  readonly nodeId: string;
  readonly presence: Presence;
  readonly registry: RoomRegistry;
  private readonly logger: Logger;
  private readonly tracing: Tracing | null;
  private subscription: BrokerSubscription | null = null;
  /**
   * Stamp every message published with an id (`origin:sequence`) and tell recorders the id of each
   * delivery: on when an endpoint of this node has session recovery, so nothing changes otherwise.
   */
  stampIds = false;
  /** Receives the payload of control messages from other nodes (session recovery). */
  control: ((data: Buffer) => void) | null = null;
  /** The first part of the ids this hub gives its messages (`origin:sequence`): new for every hub. */
  readonly origin = randomBytes(6).toString("hex");
  private sequence = 0;

  constructor(settings: HubSettings) {
    super();
    this.nodeId = settings.nodeId ?? randomUUID();
    this.logger = settings.logger;
    this.tracing = settings.tracing ?? null;
    this.registry = new RoomRegistry(userIdResolver(settings.userId), this, settings.logger);
    this.presence = new HubPresence(this);
  }

  /** Joins the broker's cluster; until then (and in the testing harness) everything is local. */
  async connect(broker: Broker): Promise<void> {
    this.subscription = await broker.subscribe(this);
    this.tracking = this.subscription.tracksPresence !== false;
  }

  async disconnect(): Promise<void> {
    const sub = this.subscription;
    this.subscription = null;
    this.tracking = false;
    if (sub !== null) await sub.unsubscribe();
  }

  broadcast(data: BroadcastData, options: BroadcastOptions = {}): Promise<BroadcastResult> {
    if (options === null || typeof options !== "object") throw new TypeError("broadcast: options must be an object like { room, except }.");
    const room = options.room;
    if (room !== undefined) checkRoom(room, "broadcast");
    const except = exceptIds(options.except);
    const outgoing = toOutgoing(data);
    const id = this.stampIds ? this.nextId() : undefined;
    const local = deliverWithId(id, this.registry.members(room), outgoing, except);
    return this.publish(local, id, () => ({ kind: BrokerMessageKinds.BROADCAST, room, except: except ? [...except] : [], payload: toPayload(outgoing) }));
  }

  sendToUser(userId: string, data: BroadcastData): Promise<BroadcastResult> {
    if (typeof userId !== "string" || userId.length === 0) throw new TypeError(`sendToUser: userId must be a non-empty string; got ${typeof userId}.`);
    const outgoing = toOutgoing(data);
    const id = this.stampIds ? this.nextId() : undefined;
    const local = deliverWithId(id, this.registry.sessionsOf(userId), outgoing, undefined);
    return this.publish(local, id, () => ({ kind: BrokerMessageKinds.TO_USER, userId, payload: toPayload(outgoing) }));
  }

  /** The id of the next message this hub publishes (`origin:sequence`). */
  private nextId(): string {
    return `${this.origin}:${(++this.sequence).toString(36)}`;
  }

  /**
   * Sends a control message to the other nodes (not to sessions), after everything this node
   * published before it. Resolves false when the broker refused it.
   */
  publishControl(data: Buffer): Promise<boolean> {
    const sub = this.subscription;
    if (sub === null) return Promise.resolve(false);
    const message: BrokerMessage = { kind: BrokerMessageKinds.BROADCAST, room: CONTROL_ROOM, except: [], payload: { kind: PayloadKinds.BINARY, data } };
    try {
      return sub.publish(message).then(() => true, () => false);
    } catch {
      return Promise.resolve(false);
    }
  }

  deliver(message: BrokerMessage): void {
    if (this.tracing !== null) return this.deliverTraced(this.tracing, message);
    this.deliverNow(message);
  }

  /** A delivery from another node as a span, a child of the sender's when its trace came along. */
  private deliverTraced(tracing: Tracing, message: BrokerMessage): void {
    const parent = message.traceparent === undefined ? undefined : tracing.fromTraceParent(message.traceparent);
    const attributes: Record<string, string> = { "ws.node_id": this.nodeId, "ws.broker_message": message.kind };
    if (message.kind === BrokerMessageKinds.BROADCAST && message.room !== undefined) attributes["ws.room"] = message.room;
    const span = tracing.start("ws.broadcast.deliver", SPAN_KIND.CONSUMER, attributes, parent);
    try {
      tracing.within(span, () => this.deliverNow(message));
    } finally {
      span.end();
    }
  }

  private deliverNow(message: BrokerMessage): void {
    try {
      if (message.kind === BrokerMessageKinds.BROADCAST && message.room === CONTROL_ROOM) return this.control?.(message.payload.data);
      const outgoing = fromPayload(message.payload);
      const id = this.stampIds ? message.id : undefined;
      if (message.kind === BrokerMessageKinds.BROADCAST) {
        const except = message.except.length > 0 ? new Set(message.except) : undefined;
        deliverWithId(id, this.registry.members(message.room), outgoing, except);
      } else deliverWithId(id, this.registry.sessionsOf(message.userId), outgoing, undefined);
    } catch (error) {
      this.logger.warn({ err: error }, "a message from another node could not be delivered");
    }
  }

  localPresence(room?: string): PresenceEntry[] {
    return this.registry.entries(this.nodeId, room);
  }

  localCount(room?: string): number {
    return this.registry.presentCount(room);
  }

  snapshot(): PresenceRecord[] {
    return this.registry.snapshot();
  }

  /** Where the broker says this node's delivery stands (at-least-once brokers), else undefined. */
  position(): string | undefined {
    return this.subscription?.position?.();
  }

  /** What the broker published after `position`, or null when it cannot say. */
  replay(position: string): Promise<{ readonly messages: readonly BrokerMessage[]; readonly complete: boolean }> | null {
    const sub = this.subscription;
    return sub?.replay === undefined ? null : sub.replay(position);
  }

  /** @internal */
  get broker(): BrokerSubscription | null {
    return this.subscription;
  }

  /** A session opened on this node. */
  add(session: WsSession): void {
    this.registry.add(session);
  }

  /** A session finished (safety net: it normally left when it started closing). */
  release(session: WsSession): void {
    this.registry.remove(session);
  }

  /** @hidden PresenceSink: presence changes are built only while a broker subscription records them. */
  tracking = false;

  /** @hidden PresenceSink */
  track(change: PresenceChange): void {
    this.subscription?.track(change);
  }

  private publish(local: LocalOutcome, id: string | undefined, message: () => BrokerMessage): Promise<BroadcastResult> {
    const sub = this.subscription;
    if (sub === null) return Promise.resolve(result(local, true, undefined));
    let built: BrokerMessage;
    try {
      built = message();
      const traceparent = this.tracing?.traceParent();
      if (traceparent !== undefined) built = { ...built, traceparent };
      if (id !== undefined) built = { ...built, id };
    } catch (error) {
      return Promise.resolve(result(local, false, new BrokerError(`The message cannot be sent to other nodes: ${(error as Error).message}`, error)));
    }
    let pending: Promise<void>;
    try {
      pending = sub.publish(built);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      () => result(local, true, undefined),
      (error: unknown) => {
        const e = error instanceof BrokerError ? error : new BrokerError(`Publishing to other nodes failed: ${(error as Error)?.message ?? String(error)}`, error);
        this.logger.debug({ err: e }, "broadcast not published");
        return result(local, false, e);
      },
    );
  }
}

class HubPresence extends Presence {
  constructor(private readonly hub: BroadcastHub) {
    super();
  }
  count(room?: string): Promise<number> {
    if (room !== undefined) checkRoom(room, "presence.count");
    const sub = this.hub.broker;
    return sub === null ? Promise.resolve(this.hub.localCount(room)) : sub.count(room);
  }
  list(room?: string): Promise<PresenceEntry[]> {
    if (room !== undefined) checkRoom(room, "presence.list");
    const sub = this.hub.broker;
    return sub === null ? Promise.resolve(this.hub.localPresence(room)) : sub.list(room);
  }
}

/** Local delivery; with an id, recorders of recoverable sessions read it from {@link currentDelivery}. */
function deliverWithId(id: string | undefined, targets: Iterable<WsSession>, outgoing: Outgoing, except: ReadonlySet<string> | undefined): LocalOutcome {
  if (id === undefined) return deliverLocally(targets, outgoing, except);
  const outer = currentDelivery.id;
  currentDelivery.id = id;
  try {
    return deliverLocally(targets, outgoing, except);
  } finally {
    currentDelivery.id = outer;
  }
}

function result(local: LocalOutcome, published: boolean, error: Error | undefined): BroadcastResult {
  return Object.freeze({ local: local.queued, failed: local.failed, published, error: error ?? local.error });
}

function exceptIds(except: BroadcastOptions["except"]): ReadonlySet<string> | undefined {
  if (except === undefined) return undefined;
  const one = idOf(except);
  if (one !== undefined) return new Set([one]);
  if (except === null || typeof (except as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError("broadcast: except must be a Session, a session id, or an iterable of them.");
  }
  const ids = new Set<string>();
  for (const item of except as Iterable<unknown>) {
    const id = idOf(item);
    if (id === undefined) throw new TypeError("broadcast: every item of except must be a Session or a session id.");
    ids.add(id);
  }
  return ids.size > 0 ? ids : undefined;
}

function idOf(item: unknown): string | undefined {
  if (typeof item === "string") return item;
  if (item instanceof Session) return item.getId();
  return undefined;
}

function toOutgoing(data: BroadcastData): Outgoing {
  if (typeof data === "string") return { prepared: new PreparedMessage(Buffer.from(data, "utf8"), false) };
  // Its bytes as they are, unless they would pin the larger socket read they are a view of while queued.
  if (data instanceof TextMessage) return { prepared: new PreparedMessage(unpinned(data.bytes), false) };
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    // Copied once: the caller may reuse its buffer while the frames wait in outbound queues.
    return { prepared: new PreparedMessage(Buffer.from(toBuffer(data)!), true) };
  }
  if (data === undefined || typeof data === "function" || typeof data === "symbol") {
    throw new TypeError(`broadcast: data must be a string, binary data or an object; got ${typeof data}.`);
  }
  return { object: data };
}

function toPayload(outgoing: Outgoing): BrokerPayload {
  if ("prepared" in outgoing) return { kind: outgoing.prepared.binary ? PayloadKinds.BINARY : PayloadKinds.TEXT, data: outgoing.prepared.data };
  return { kind: PayloadKinds.OBJECT, data: serialize(outgoing.object) };
}

function fromPayload(payload: BrokerPayload): Outgoing {
  if (payload.kind === PayloadKinds.OBJECT) return { object: deserialize(payload.data) };
  return { prepared: new PreparedMessage(payload.data, payload.kind === PayloadKinds.BINARY) };
}
