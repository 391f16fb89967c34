import { ClientEndpoint, connectToServer, OnMessage, OnOpen, Session, type ClientSession, type ServerHandle } from "../../src/index.js";
import { silentLogger } from "../../src/index.js";
import type { SwitchProxy } from "./switch-proxy.js";

/** What one client saw: for each publisher, the sequence numbers in arrival order. */
@ClientEndpoint()
export class CountingClient {
  readonly seen = new Map<string, number[]>();
  opens: Array<{ recovered: boolean; refused: string | undefined; sessionId: string }> = [];
  session: ClientSession | null = null;

  @OnOpen() open(s: Session): void {
    const session = s as ClientSession;
    this.session = session;
    const r = session.getRecovery();
    this.opens.push({ recovered: r?.recovered ?? false, refused: r?.refused, sessionId: r?.sessionId ?? "" });
  }

  @OnMessage() message(text: string): void {
    const colon = text.indexOf(":");
    const publisher = text.slice(0, colon);
    let list = this.seen.get(publisher);
    if (list === undefined) this.seen.set(publisher, (list = []));
    list.push(Number(text.slice(colon + 1)));
  }

  count(): number {
    let n = 0;
    for (const l of this.seen.values()) n += l.length;
    return n;
  }
}

/** The figures of one run, over every client. */
export interface ChaosFigures {
  clients: number;
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  resets: number;
  recovered: number;
  refused: number;
}

/** Counts, per client and publisher, against the sequences 0..perPublisher-1. */
export function tally(clients: readonly CountingClient[], publishers: readonly string[], perPublisher: number, resets: number): ChaosFigures {
  const f: ChaosFigures = { clients: clients.length, sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, resets, recovered: 0, refused: 0 };
  for (const c of clients) {
    f.recovered += c.opens.filter((o) => o.recovered).length;
    f.refused += c.opens.filter((o) => o.refused !== undefined).length;
    for (const p of publishers) {
      const got = c.seen.get(p) ?? [];
      f.sent += perPublisher;
      f.delivered += got.length;
      const distinct = new Set(got);
      f.duplicated += got.length - distinct.size;
      for (let i = 0; i < perPublisher; i++) if (!distinct.has(i)) f.lost++;
      for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) f.reordered++;
    }
  }
  return f;
}

/** Connects `n` recovering clients through the proxy. */
export async function connectClients(proxy: SwitchProxy, path: string, n: number): Promise<CountingClient[]> {
  const clients: CountingClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = new CountingClient();
    await connectToServer(c, `ws://127.0.0.1:${proxy.port}${path}`, {
      recovery: true,
      reconnect: { initialDelay: 5, maxDelay: 50, jitter: 0, maxAttempts: 200 },
      heartbeat: false,
      logger: silentLogger,
    });
    clients.push(c);
  }
  return clients;
}

/**
 * Waits until every client has `total` messages (or `ms` passed), then for a fence: each node broadcasts
 * `fence-<i>:0` to `room` and every client must receive them all. A duplicate or a late message travels
 * the same path (the session's queue, the recovery replay) ahead of the fence, so it is counted.
 */
export async function settle(clients: readonly CountingClient[], total: number, ms: number, nodes: readonly ServerHandle[], room = "feed"): Promise<void> {
  const deadline = Date.now() + ms;
  while (clients.some((c) => c.count() < total) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < nodes.length; i++) await nodes[i]!.broadcaster.broadcast(`fence-${i}:0`, { room });
  await until(() => clients.every((c) => nodes.every((_, i) => c.seen.has(`fence-${i}`))), Math.max(1000, deadline - Date.now()));
}

/** Publishes `count` numbered messages to `room` from `node`, yielding to the event loop every `burst`. */
export async function publish(node: ServerHandle, name: string, room: string, count: number, burst: number, during?: (i: number) => void | Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    await node.broadcaster.broadcast(`${name}:${i}`, { room });
    if (i % burst === burst - 1) {
      await during?.(i);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** Polls `check` until it holds (every 5 ms, at most `ms`); throws when it never does. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
