import type { Cluster, Redis } from "ioredis";
import type { BrokerMessage } from "../broker/broker.js";
import { BrokerError } from "../errors.js";
import { requireOptionalPeer } from "../peers/optional-peer.js";
import { encodeEnvelope } from "./envelope.js";
import type { ResolvedRedisOptions } from "./redis-options.js";

/** A standalone, Sentinel or Cluster client of ioredis. */
export type RedisClient = Redis | Cluster;

/** What the link tells the broker that owns it. */
export interface LinkEvents {
  /** A command client was just created (to define scripts on it). */
  created(commands: RedisClient): void;
  /** A message arrived on the subscriber connection. */
  message(channel: Buffer, data: Buffer): void;
  /** The command connection is ready again after the first start (a reconnection): presence needs rewriting. */
  ready(): void;
}

/** Counters of a link, read by `RedisBroker.stats`. */
export interface LinkCounters {
  published: number;
  publishFailures: number;
  received: number;
  malformed: number;
  rebuilds: number;
}

/**
 * The connection of one `RedisBroker` to Redis: a command client and a subscriber client, their
 * readiness, the outage state machine (up → down → up, logged once per outage) and the counters.
 * Everything that fails here is reported through {@link RedisLink.failed}, so `onError` and the log
 * see one voice.
 */
export class RedisLink {
  readonly counters: LinkCounters = { published: 0, publishFailures: 0, received: 0, malformed: 0, rebuilds: 0 };
  private pub: RedisClient | null = null;
  private sub: RedisClient | null = null;
  private starting: Promise<void> | null = null;
  /** The first start succeeded: later `ready` events are reconnections. */
  private wasReady = false;
  /** An outage is in progress (logged once when it starts, once when it ends). */
  private down = false;
  private readonly ioredis: typeof import("ioredis");

  /** @throws MissingPeerDependencyError when `ioredis` (an optional peer dependency) is not installed. */
  constructor(
    private readonly options: ResolvedRedisOptions,
    /** The pub/sub channel; null in the stream mode, where the second connection reads the stream. */
    private readonly channel: string | null,
    private readonly events: LinkEvents,
  ) {
    this.ioredis = requireOptionalPeer<typeof import("ioredis")>("ioredis");
  }

  /** Whether the command connection to Redis is up. */
  get connected(): boolean {
    return this.pub !== null && this.pub.status === "ready";
  }

  /** The command client, ready or not (null before the start and after the stop). */
  get client(): RedisClient | null {
    return this.pub;
  }

  /** The command client when it is ready, else null. */
  get readyClient(): RedisClient | null {
    const pub = this.pub;
    return pub !== null && pub.status === "ready" ? pub : null;
  }

  /** The second connection: the subscriber, or in the stream mode the blocking reader. */
  get reader(): RedisClient | null {
    return this.sub;
  }

  /** Why the command client is not ready, for messages. */
  get status(): string {
    return this.pub?.status ?? "not connected";
  }

  /** Connects and subscribes, once for all callers until {@link stop}. */
  open(): Promise<void> {
    return (this.starting ??= this.start());
  }

  async publish(origin: string, message: BrokerMessage): Promise<void> {
    const pub = this.publisher();
    const envelope = encodeEnvelope(origin, message);
    try {
      await pub.publish(this.channel!, envelope);
      this.counters.published++;
    } catch (error) {
      throw this.failed(new BrokerError(`Publishing to Redis failed: ${failure(error)}; the message reached this node only.`, error), true);
    }
  }

  /** The ready command client. @throws BrokerError (reported) when Redis is unreachable. */
  publisher(): RedisClient {
    const pub = this.readyClient;
    if (pub === null) throw this.failed(new BrokerError(`Redis is unreachable (${this.status}); the message reached this node only.`), true);
    return pub;
  }

  /** Reports a failure to the log and `onError`; returns it to be thrown. */
  failed(error: BrokerError, publishing: boolean): BrokerError {
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

  async stop(): Promise<void> {
    const clients = [this.pub, this.sub].filter((c): c is RedisClient => c !== null);
    // A blocked stream read would hold QUIT back until it times out: the reader is just disconnected.
    const blocking = this.channel === null ? this.sub : null;
    this.pub = this.sub = null;
    this.starting = null;
    this.wasReady = false;
    await Promise.all(
      clients.map((c) => {
        c.removeAllListeners("ready").removeAllListeners("close").removeAllListeners("messageBuffer");
        return c.status === "ready" && c !== blocking ? c.quit().catch(() => c.disconnect()) : c.disconnect();
      }),
    );
  }

  private async start(): Promise<void> {
    const pub = this.createClient("commands");
    const sub = this.createClient(this.channel === null ? "reader" : "subscriber");
    this.pub = pub;
    this.sub = sub;
    this.events.created(pub);
    pub.on("error", (e: Error) => this.connectionError(e));
    sub.on("error", (e: Error) => this.connectionError(e));
    pub.on("ready", () => this.onReady());
    pub.on("close", () => this.onDown());
    sub.on("messageBuffer", (channel: Buffer, data: Buffer) => this.events.message(channel, data));
    try {
      const where = this.where();
      await Promise.all([ready(pub, this.options.connectTimeout, where), this.channel === null ? ready(sub, this.options.connectTimeout, where) : sub.subscribe(this.channel)]);
    } catch (error) {
      await this.stop();
      throw error instanceof BrokerError ? error : new BrokerError(`Subscribing to Redis failed: ${(error as Error).message}`, error);
    }
    this.wasReady = true;
  }

  private createClient(role: "commands" | "subscriber" | "reader"): RedisClient {
    const { redis, cluster } = this.options;
    const { Cluster, Redis } = this.ioredis;
    // Commands fail at once during an outage instead of queueing: publishes must fail visibly, and
    // presence is rewritten in full on reconnection anyway. That includes a command in flight when the
    // connection drops: without maxRetriesPerRequest 0, ioredis keeps it and sends it again once Redis
    // is back, so a broadcast would stay pending for the whole outage. The stream reader's blocking read
    // must fail too (not be re-sent later), so it can catch up from its own position.
    const forced =
      role === "commands"
        ? { enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 0 }
        : role === "reader"
          ? { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 }
          : {};
    if (cluster !== undefined) {
      return new Cluster([...cluster.nodes], { ...cluster.options, ...forced, redisOptions: { ...cluster.options?.redisOptions, ...forced } });
    }
    if (typeof redis === "string") return new Redis(redis, { ...forced, lazyConnect: false });
    // Through Sentinel, a master demoted without its clients being disconnected (a hand-made REPLICAOF;
    // the sentinels' own reconfiguration disconnects them) answers writes with READONLY: reconnecting
    // asks the sentinels for the master again. A reconnectOnError of the application's own wins.
    const follow = role === "commands" && redis.sentinels !== undefined && redis.reconnectOnError === undefined ? { reconnectOnError: readOnly } : {};
    return new Redis({ ...redis, ...follow, ...forced, lazyConnect: false });
  }

  private onReady(): void {
    if (!this.wasReady) return;
    if (this.down) {
      this.down = false;
      this.options.logger.info({}, `reconnected to Redis at ${this.where()}; rebuilding presence`);
    }
    this.events.ready();
  }

  private onDown(): void {
    if (!this.wasReady || this.down) return;
    this.down = true;
    const then = this.channel === null ? "; what other nodes publish meanwhile is read when it returns (within stream.maxAge)" : "";
    this.options.logger.warn({}, `lost the connection to Redis at ${this.where()}; broadcasts reach this node only until it returns${then}`);
  }

  private connectionError(error: Error): void {
    // ioredis retries by itself; report once per outage, not once per retry.
    if (this.down || !this.wasReady) {
      this.options.logger.debug({ err: error }, "Redis connection error");
      return;
    }
    this.failed(new BrokerError(`Redis connection error: ${error.message}`, error), false);
  }

  private where(): string {
    const { redis, cluster } = this.options;
    if (cluster !== undefined) return `cluster ${cluster.nodes.map((n) => (typeof n === "object" ? `${n.host ?? ""}:${n.port ?? ""}` : String(n))).join(",")}`;
    if (typeof redis === "string") return redis.replace(/\/\/[^@/]*@/, "//***@");
    return redis.sentinels ? `sentinel group ${redis.name ?? "?"}` : `${redis.host ?? "127.0.0.1"}:${redis.port ?? 6379}`;
  }
}

function readOnly(error: Error): boolean {
  return error.message.startsWith("READONLY");
}

/** Why a command failed, in words: ioredis names a command cut off by a dropped connection after its retry limit. */
export function failure(error: unknown): string {
  const e = error as Error;
  return e.name === "MaxRetriesPerRequestError" ? "the connection to Redis closed before Redis answered" : e.message;
}

function ready(client: RedisClient, timeoutMs: number, where: string): Promise<void> {
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
