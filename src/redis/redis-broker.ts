import type { Broker, BrokerMessage, BrokerNode, BrokerSubscription, PresenceChange, PresenceEntry } from "../broker/broker.js";
import { decodeEnvelope, type Envelope } from "./envelope.js";
import { PresenceSync, type SyncedNode } from "./presence-sync.js";
import { RedisLink } from "./redis-link.js";
import { resolveRedisOptions, type RedisBrokerOptions, type RedisBrokerStats, type ResolvedRedisOptions } from "./redis-options.js";
import { defineScripts, PresenceKeys } from "./redis-presence.js";
import { StreamBus, StreamOrigin } from "./stream-bus.js";

/**
 * A {@link Broker} over Redis (via ioredis): messages travel on one pub/sub channel in a binary
 * envelope naming the origin node, presence lives in Redis sets and hashes kept alive by per-node
 * heartbeats. Give every server its own instance pointing at the same Redis.
 *
 * With `delivery: "at-least-once"` messages go through a Redis stream instead of the channel: a node
 * that loses Redis reads what it missed when it comes back (within `stream.maxAge`/`maxLength`), and
 * drops what it already delivered by message id.
 *
 * Outage behaviour: local delivery goes on; publishing to other nodes fails at once (the
 * `BroadcastResult` says so, the logger and `onError` are told); presence queries reject with
 * `BrokerError`. When Redis returns, ioredis reconnects and resubscribes, and each node rewrites its
 * presence, without a restart.
 *
 * @example
 * ```ts
 * import { bootstrap } from "ws-endpoints";
 * import { RedisBroker } from "ws-endpoints/redis";
 *
 * const app = await bootstrap({ port: 8080, broker: new RedisBroker({ redis: process.env.REDIS_URL }) });
 * ```
 */
export class RedisBroker implements Broker {
  private readonly options: ResolvedRedisOptions;
  private readonly channel: string;
  /** The subscribed nodes (one per server sharing this broker), by node id. */
  private readonly nodes = new Map<string, RedisSubscription>();
  private readonly link: RedisLink;
  private readonly presence: PresenceSync;
  /** The stream path, in the `"at-least-once"` mode. */
  private readonly bus: StreamBus | null;

  /**
   * @throws InvalidOptionsError naming every bad option.
   * @throws MissingPeerDependencyError when `ioredis` (an optional peer dependency) is not installed.
   */
  constructor(options: string | RedisBrokerOptions = {}) {
    this.options = resolveRedisOptions(options);
    const keys = new PresenceKeys(this.options.keyPrefix);
    this.channel = keys.channel;
    const streams = this.options.delivery === "at-least-once";
    this.link = new RedisLink(this.options, streams ? null : keys.channel, {
      created: defineScripts,
      message: (channel, data) => this.onMessage(channel, data),
      ready: () => this.presence.rebuildAll(),
    });
    this.presence = new PresenceSync(this.link, keys, this.nodes, this.options);
    this.bus = streams ? new StreamBus(this.link, keys.stream, this.options, (e) => this.dispatch(e)) : null;
  }

  /** Counters since this broker was created, and in the `"at-least-once"` mode the stream's bounds and figures. */
  get stats(): RedisBrokerStats {
    const bus = this.bus;
    const stream = bus === null ? undefined : { limits: this.options.stream, ...bus.snapshot(), dedupeOrigins: bus.dedupeState.origins, dedupeBytes: bus.dedupeState.bytes };
    return { ...this.link.counters, delivery: this.options.delivery, stream };
  }

  /** Whether the command connection to Redis is up. */
  get connected(): boolean {
    return this.link.connected;
  }

  async subscribe(node: BrokerNode): Promise<BrokerSubscription> {
    if (this.nodes.has(node.nodeId)) throw new TypeError(`RedisBroker.subscribe: a node with id ${node.nodeId} is already subscribed.`);
    const subscription = new RedisSubscription(node, this.link, this.presence, this.bus, (s) => this.leave(s));
    this.nodes.set(node.nodeId, subscription);
    try {
      await this.link.open();
      await this.bus?.start();
      this.presence.start();
      await this.presence.rebuild(subscription);
    } catch (error) {
      this.nodes.delete(node.nodeId);
      if (this.nodes.size === 0) await this.stop();
      throw error;
    }
    return subscription;
  }

  /** Leaves with every node still subscribed and closes the connections. */
  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((s) => s.unsubscribe()));
    await this.stop();
  }

  private async leave(node: RedisSubscription): Promise<void> {
    if (this.nodes.get(node.nodeId) !== node) return;
    this.nodes.delete(node.nodeId);
    await this.presence.clear(node);
    if (this.nodes.size === 0) await this.stop();
  }

  private async stop(): Promise<void> {
    this.presence.stop();
    const reading = this.bus?.stop();
    await this.link.stop();
    await reading;
  }

  private onMessage(channel: Buffer, data: Buffer): void {
    if (channel.toString() !== this.channel) return;
    let envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch (error) {
      this.link.counters.malformed++;
      this.options.logger.warn({ err: error }, `ignored a malformed message on ${this.channel}`);
      return;
    }
    this.link.counters.received++;
    this.dispatch(envelope);
  }

  private dispatch(envelope: Envelope): void {
    for (const [id, s] of this.nodes) if (id !== envelope.origin) s.node.deliver(envelope.message);
  }
}

/** One node's connection to a {@link RedisBroker}: messages go through the link, presence through the sync. */
class RedisSubscription implements BrokerSubscription, SyncedNode {
  dirty = false;
  readonly nodeId: string;
  private readonly origin = new StreamOrigin();

  constructor(
    readonly node: BrokerNode,
    private readonly link: RedisLink,
    private readonly presence: PresenceSync,
    private readonly bus: StreamBus | null,
    private readonly leave: (s: RedisSubscription) => Promise<void>,
  ) {
    this.nodeId = node.nodeId;
  }

  publish(message: BrokerMessage): Promise<void> {
    return this.bus === null ? this.link.publish(this.nodeId, message) : this.bus.publish(this.origin, this.nodeId, message);
  }

  track(change: PresenceChange): void {
    this.presence.track(this, change);
  }

  count(room?: string): Promise<number> {
    return this.presence.count(room);
  }

  list(room?: string): Promise<PresenceEntry[]> {
    return this.presence.list(room);
  }

  unsubscribe(): Promise<void> {
    return this.leave(this);
  }

  position(): string | undefined {
    return this.bus?.position;
  }

  replay(from: string): Promise<{ messages: BrokerMessage[]; complete: boolean }> {
    if (this.bus === null) return Promise.resolve({ messages: [], complete: false });
    return this.bus.replay(from);
  }
}
