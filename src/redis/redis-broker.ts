import type { Cluster, Redis } from "ioredis";
import type { Broker, BrokerMessage, BrokerNode, BrokerSubscription, PresenceChange, PresenceEntry } from "../broker/broker.js";
import { BrokerError } from "../errors.js";
import { requireOptionalPeer } from "../peers/optional-peer.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { resolveRedisOptions, type RedisBrokerOptions, type RedisBrokerStats, type ResolvedRedisOptions } from "./redis-options.js";
import * as presence from "./redis-presence.js";

type Client = Redis | Cluster;

/**
 * A {@link Broker} over Redis (via ioredis): messages travel on one pub/sub channel in a binary
 * envelope naming the origin node, presence lives in Redis sets and hashes kept alive by per-node
 * heartbeats. Give every server its own instance pointing at the same Redis.
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
  private readonly keys: presence.PresenceKeys;
  private readonly nodes = new Map<string, RedisSubscription>();
  private pub: Client | null = null;
  private sub: Client | null = null;
  private starting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wasReady = false;
  private down = false;
  private readonly counters = { published: 0, publishFailures: 0, received: 0, malformed: 0, rebuilds: 0 };
  private readonly ioredis: typeof import("ioredis");

  /**
   * @throws InvalidOptionsError naming every bad option.
   * @throws MissingPeerDependencyError when `ioredis` (an optional peer dependency) is not installed.
   */
  constructor(options: string | RedisBrokerOptions = {}) {
    this.options = resolveRedisOptions(options);
    this.ioredis = requireOptionalPeer<typeof import("ioredis")>("ioredis");
    this.keys = new presence.PresenceKeys(this.options.keyPrefix);
  }

  /** Counters since this broker was created. */
  get stats(): RedisBrokerStats {
    return { ...this.counters };
  }

  /** Whether the command connection to Redis is up. */
  get connected(): boolean {
    return this.pub !== null && this.pub.status === "ready";
  }

  async subscribe(node: BrokerNode): Promise<BrokerSubscription> {
    if (this.nodes.has(node.nodeId)) throw new TypeError(`RedisBroker.subscribe: a node with id ${node.nodeId} is already subscribed.`);
    const subscription = new RedisSubscription(this, node);
    this.nodes.set(node.nodeId, subscription);
    try {
      await (this.starting ??= this.start());
      await this.rebuild(subscription);
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

  /** @internal */
  async publish(origin: string, message: BrokerMessage): Promise<void> {
    const pub = this.pub;
    if (pub === null || pub.status !== "ready") {
      throw this.failed(new BrokerError(`Redis is unreachable (${pub?.status ?? "not connected"}); the message reached this node only.`), true);
    }
    const envelope = encodeEnvelope(origin, message);
    try {
      await pub.publish(this.keys.channel, envelope);
      this.counters.published++;
    } catch (error) {
      throw this.failed(new BrokerError(`Publishing to Redis failed: ${(error as Error).message}; the message reached this node only.`, error), true);
    }
  }

  /** @internal */
  track(node: RedisSubscription, change: PresenceChange): void {
    const pub = this.pub;
    if (pub === null || pub.status !== "ready") {
      node.dirty = true;
      return;
    }
    presence.writeChange(pub, this.keys, node.nodeId, change).catch(() => {
      // Rewritten in full by the next heartbeat.
      node.dirty = true;
    });
  }

  /** @internal */
  async query<T extends { dead: string[] }>(run: (client: Client) => Promise<T>): Promise<T> {
    const pub = this.pub;
    if (pub === null || pub.status !== "ready") throw this.failed(new BrokerError(`Redis is unreachable (${pub?.status ?? "not connected"}); presence is unknown.`), false);
    let result: T;
    try {
      result = await run(pub);
    } catch (error) {
      throw this.failed(new BrokerError(`Presence query failed: ${(error as Error).message}`, error), false);
    }
    for (const dead of result.dead) {
      presence.clear(pub, this.keys, dead, true).catch((e: unknown) => this.options.logger.debug({ err: e }, "clearing a dead node's presence failed"));
    }
    return result;
  }

  /** @internal */
  get keyNames(): presence.PresenceKeys {
    return this.keys;
  }

  /** @internal */
  async leave(node: RedisSubscription): Promise<void> {
    if (this.nodes.get(node.nodeId) !== node) return;
    this.nodes.delete(node.nodeId);
    const pub = this.pub;
    if (pub !== null && pub.status === "ready") {
      await presence.clear(pub, this.keys, node.nodeId, false).catch((e: unknown) => this.options.logger.warn({ err: e }, "removing this node's presence from Redis failed"));
    }
    if (this.nodes.size === 0) await this.stop();
  }

  private async start(): Promise<void> {
    const pub = this.createClient(true);
    const sub = this.createClient(false);
    this.pub = pub;
    this.sub = sub;
    presence.defineScripts(pub);
    pub.on("error", (e: Error) => this.connectionError(e));
    sub.on("error", (e: Error) => this.connectionError(e));
    pub.on("ready", () => this.onReady());
    pub.on("close", () => this.onDown());
    sub.on("messageBuffer", (channel: Buffer, data: Buffer) => this.onMessage(channel, data));
    try {
      await Promise.all([ready(pub, this.options.connectTimeout, this.where()), sub.subscribe(this.keys.channel)]);
    } catch (error) {
      await this.stop();
      throw error instanceof BrokerError ? error : new BrokerError(`Subscribing to Redis failed: ${(error as Error).message}`, error);
    }
    this.wasReady = true;
    this.timer = setInterval(() => this.heartbeat(), this.options.heartbeatInterval);
    this.timer.unref();
  }

  private async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const clients = [this.pub, this.sub].filter((c): c is Client => c !== null);
    this.pub = this.sub = null;
    this.starting = null;
    this.wasReady = false;
    await Promise.all(
      clients.map((c) => {
        c.removeAllListeners("ready").removeAllListeners("close").removeAllListeners("messageBuffer");
        return c.status === "ready" ? c.quit().catch(() => c.disconnect()) : c.disconnect();
      }),
    );
  }

  private createClient(commands: boolean): Client {
    const { redis, cluster } = this.options;
    const { Cluster, Redis } = this.ioredis;
    // Commands fail at once during an outage instead of queueing: publishes must fail visibly, and
    // presence is rewritten in full on reconnection anyway.
    const forced = commands ? { enableOfflineQueue: false, enableAutoPipelining: true } : {};
    if (cluster !== undefined) {
      return new Cluster([...cluster.nodes], { ...cluster.options, ...forced, redisOptions: { ...cluster.options?.redisOptions, ...forced } });
    }
    if (typeof redis === "string") return new Redis(redis, { ...forced, lazyConnect: false });
    return new Redis({ ...redis, ...forced, lazyConnect: false });
  }

  private onMessage(channel: Buffer, data: Buffer): void {
    if (channel.toString() !== this.keys.channel) return;
    let envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch (error) {
      this.counters.malformed++;
      this.options.logger.warn({ err: error }, `ignored a malformed message on ${this.keys.channel}`);
      return;
    }
    this.counters.received++;
    for (const [id, s] of this.nodes) if (id !== envelope.origin) s.node.deliver(envelope.message);
  }

  private onReady(): void {
    if (!this.wasReady) return;
    if (this.down) {
      this.down = false;
      this.options.logger.info({}, `reconnected to Redis at ${this.where()}; rebuilding presence`);
    }
    for (const s of this.nodes.values()) void this.rebuild(s).catch(() => (s.dirty = true));
  }

  private onDown(): void {
    if (!this.wasReady || this.down) return;
    this.down = true;
    this.options.logger.warn({}, `lost the connection to Redis at ${this.where()}; broadcasts reach this node only until it returns`);
  }

  private connectionError(error: Error): void {
    // ioredis retries by itself; report once per outage, not once per retry.
    if (this.down || !this.wasReady) {
      this.options.logger.debug({ err: error }, "Redis connection error");
      return;
    }
    this.failed(new BrokerError(`Redis connection error: ${error.message}`, error), false);
  }

  private heartbeat(): void {
    const pub = this.pub;
    if (pub === null || pub.status !== "ready") return;
    for (const s of this.nodes.values()) {
      if (s.dirty) {
        void this.rebuild(s).catch(() => (s.dirty = true));
        continue;
      }
      presence
        .beat(pub, this.keys, s.nodeId, this.options.nodeTimeout)
        .then((kept) => {
          // Expired (a long pause or outage) and perhaps cleared by another node: write it all again.
          if (!kept) return this.rebuild(s);
        })
        .catch(() => (s.dirty = true));
    }
  }

  private async rebuild(s: RedisSubscription): Promise<void> {
    const pub = this.pub;
    if (pub === null) return;
    s.dirty = false;
    try {
      await presence.rebuild(pub, this.keys, s.nodeId, s.node.snapshot(), this.options.nodeTimeout);
      this.counters.rebuilds++;
    } catch (error) {
      s.dirty = true;
      throw this.failed(new BrokerError(`Writing presence to Redis failed: ${(error as Error).message}`, error), false);
    }
  }

  private failed(error: BrokerError, publishing: boolean): BrokerError {
    if (publishing) this.counters.publishFailures++;
    // One warning per outage; the rest at debug level (a busy node would otherwise flood the log).
    if (!this.down) this.options.logger.warn({ err: error }, error.message);
    else this.options.logger.debug({ err: error }, error.message);
    try {
      this.options.onError?.(error);
    } catch (thrown) {
      this.options.logger.error({ err: thrown }, "RedisBroker onError threw");
    }
    return error;
  }

  private where(): string {
    const { redis, cluster } = this.options;
    if (cluster !== undefined) return `cluster ${cluster.nodes.map((n) => (typeof n === "object" ? `${n.host ?? ""}:${n.port ?? ""}` : String(n))).join(",")}`;
    if (typeof redis === "string") return redis.replace(/\/\/[^@/]*@/, "//***@");
    return redis.sentinels ? `sentinel group ${redis.name ?? "?"}` : `${redis.host ?? "127.0.0.1"}:${redis.port ?? 6379}`;
  }
}

/** One node's connection to a {@link RedisBroker}. */
class RedisSubscription implements BrokerSubscription {
  /** Presence writes failed: rewrite everything at the next chance. */
  dirty = false;
  readonly nodeId: string;

  constructor(
    private readonly broker: RedisBroker,
    readonly node: BrokerNode,
  ) {
    this.nodeId = node.nodeId;
  }

  publish(message: BrokerMessage): Promise<void> {
    return this.broker.publish(this.nodeId, message);
  }

  track(change: PresenceChange): void {
    this.broker.track(this, change);
  }

  async count(room?: string): Promise<number> {
    return (await this.broker.query((c) => presence.count(c, this.broker.keyNames, room))).total;
  }

  async list(room?: string): Promise<PresenceEntry[]> {
    return (await this.broker.query((c) => presence.list(c, this.broker.keyNames, room))).entries;
  }

  unsubscribe(): Promise<void> {
    return this.broker.leave(this);
  }
}

function ready(client: Client, timeoutMs: number, where: string): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last: Error | undefined;
    const onError = (e: Error): void => void (last = e);
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      client.off("error", onError);
      reject(
        new BrokerError(
          `Redis at ${where} was not ready within ${timeoutMs} ms${last ? ` (${last.message})` : ""}. Fix: check that Redis runs and the URL or options are right, or raise connectTimeout.`,
          last,
        ),
      );
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      client.off("error", onError);
      resolve();
    };
    client.once("ready", onReady);
    client.on("error", onError);
  });
}
