import type { BrokerNode, PresenceChange, PresenceEntry } from "../broker/broker.js";
import { BrokerError } from "../errors.js";
import * as presence from "./redis-presence.js";
import type { RedisClient, RedisLink } from "./redis-link.js";
import type { ResolvedRedisOptions } from "./redis-options.js";

/** A node whose presence is kept in Redis. */
export interface SyncedNode {
  readonly nodeId: string;
  readonly node: BrokerNode;
  /** Presence writes failed: rewrite everything at the next chance. */
  dirty: boolean;
}

/**
 * Keeps each subscribed node's presence in Redis: writes every change as it happens, renews the heartbeat,
 * rewrites a node in full when a write failed or Redis lost it (a reconnection, an expired heartbeat), and
 * answers cluster-wide queries, clearing the nodes found dead on the way.
 */
export class PresenceSync {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: presence.PresenceKeys,
    private readonly nodes: ReadonlyMap<string, SyncedNode>,
    private readonly options: ResolvedRedisOptions,
  ) {}

  /** Starts the heartbeat (once; again after {@link stop}). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.heartbeat(), this.options.heartbeatInterval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  track(s: SyncedNode, change: PresenceChange): void {
    const pub = this.link.readyClient;
    if (pub === null) {
      s.dirty = true;
      return;
    }
    presence.writeChange(pub, this.keys, s.nodeId, change).catch(() => {
      // Rewritten in full by the next heartbeat.
      s.dirty = true;
    });
  }

  async count(room: string | undefined): Promise<number> {
    return (await this.query((c) => presence.count(c, this.keys, room))).total;
  }

  async list(room: string | undefined): Promise<PresenceEntry[]> {
    return (await this.query((c) => presence.list(c, this.keys, room))).entries;
  }

  /** Removes a leaving node's presence (when Redis is reachable; otherwise its heartbeat expires). */
  async clear(s: SyncedNode): Promise<void> {
    const pub = this.link.readyClient;
    if (pub === null) return;
    await presence.clear(pub, this.keys, s.nodeId, false).catch((e: unknown) => this.options.logger.warn({ err: e }, "removing this node's presence from Redis failed"));
  }

  /** Rewrites every node (Redis came back). */
  rebuildAll(): void {
    for (const s of this.nodes.values()) void this.rebuild(s).catch(() => (s.dirty = true));
  }

  async rebuild(s: SyncedNode): Promise<void> {
    const pub = this.link.client;
    if (pub === null) return;
    s.dirty = false;
    try {
      await presence.rebuild(pub, this.keys, s.nodeId, s.node.snapshot(), this.options.nodeTimeout);
      this.link.counters.rebuilds++;
    } catch (error) {
      s.dirty = true;
      throw this.link.failed(new BrokerError(`Writing presence to Redis failed: ${(error as Error).message}`, error), false);
    }
  }

  private heartbeat(): void {
    const pub = this.link.readyClient;
    if (pub === null) return;
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

  private async query<T extends { dead: string[] }>(run: (client: RedisClient) => Promise<T>): Promise<T> {
    const pub = this.link.readyClient;
    if (pub === null) throw this.link.failed(new BrokerError(`Redis is unreachable (${this.link.status}); presence is unknown.`), false);
    let result: T;
    try {
      result = await run(pub);
    } catch (error) {
      throw this.link.failed(new BrokerError(`Presence query failed: ${(error as Error).message}`, error), false);
    }
    for (const dead of result.dead) {
      presence.clear(pub, this.keys, dead, true).catch((e: unknown) => this.options.logger.debug({ err: e }, "clearing a dead node's presence failed"));
    }
    return result;
  }
}
