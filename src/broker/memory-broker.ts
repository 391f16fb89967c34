import type { Broker, BrokerMessage, BrokerNode, BrokerSubscription, PresenceEntry } from "./broker.js";

/**
 * The default broker: nodes in one process. A server without a `broker` option gets its own, which
 * makes rooms, broadcast and presence local; servers given the same instance form one cluster.
 *
 * Deliveries to other nodes happen on a later microtask, in publish order, exactly as a remote broker
 * would deliver them, so code behaves the same when moved to Redis.
 *
 * @example
 * ```ts
 * const broker = new MemoryBroker();
 * const a = await bootstrap({ port: 8081, broker });
 * const b = await bootstrap({ port: 8082, broker });
 * await a.broadcaster.broadcast("hello"); // reaches the sessions of both servers
 * ```
 */
export class MemoryBroker implements Broker {
  private readonly nodes = new Set<BrokerNode>();

  subscribe(node: BrokerNode): Promise<BrokerSubscription> {
    if (this.nodes.has(node)) return Promise.reject(new TypeError(`MemoryBroker.subscribe: node ${node.nodeId} is already subscribed.`));
    this.nodes.add(node);
    return Promise.resolve(new MemorySubscription(this.nodes, node));
  }
}

class MemorySubscription implements BrokerSubscription {
  constructor(
    private readonly nodes: Set<BrokerNode>,
    private readonly node: BrokerNode,
  ) {}

  publish(message: BrokerMessage): Promise<void> {
    for (const other of this.nodes) {
      if (other !== this.node) queueMicrotask(() => this.nodes.has(other) && other.deliver(message));
    }
    return Promise.resolve();
  }

  // Presence is read from the nodes themselves; nothing to record, so nothing is built for it (T7).
  readonly tracksPresence = false;
  track(): void {}

  count(room?: string): Promise<number> {
    let n = 0;
    for (const node of this.nodes) n += node.localCount(room);
    return Promise.resolve(n);
  }

  list(room?: string): Promise<PresenceEntry[]> {
    const all: PresenceEntry[] = [];
    for (const node of this.nodes) all.push(...node.localPresence(room));
    return Promise.resolve(all);
  }

  unsubscribe(): Promise<void> {
    this.nodes.delete(this.node);
    return Promise.resolve();
  }
}
