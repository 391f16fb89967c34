import "reflect-metadata";
import WebSocket from "ws";
import {
  bootstrap,
  Broadcaster,
  OnMessage,
  OnOpen,
  PathParam,
  Presence,
  ServerEndpoint,
  Session,
  silentLogger,
  type Broker,
  type ServerHandle,
} from "../../../src/index.js";
import { TestClient } from "../../../src/testing/index.js";

/** Commands a test client sends to {@link ClusterEndpoint}. */
export type Command =
  | { op: "say"; text: string; room?: string }
  | { op: "dm"; to: string; text: string }
  | { op: "count"; room?: string }
  | { op: "join" | "leave"; room: string };

/**
 * The endpoint every cluster test serves: `/c/{user}?room=a&room=b` joins the rooms and answers
 * "ready" once @OnOpen ran; messages are commands that use the injected Broadcaster and Presence.
 */
@ServerEndpoint("/c/{user}")
export class ClusterEndpoint {
  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly presence: Presence,
  ) {}

  @OnOpen() open(session: Session, @PathParam("user") user: string): void {
    session.getUserProperties().set("user", user);
    for (const room of session.getRequestParameterMap().get("room") ?? []) session.join(room);
    session.getAsyncRemote().sendText("ready");
  }

  @OnMessage() async command(text: string, session: Session): Promise<string | undefined> {
    const cmd = JSON.parse(text) as Command;
    const from = session.getUserProperties().get("user") as string;
    switch (cmd.op) {
      case "say": {
        const r = await this.broadcaster.broadcast({ from, text: cmd.text }, { room: cmd.room, except: session });
        return JSON.stringify({ said: r.published });
      }
      case "dm": {
        const r = await this.broadcaster.sendToUser(cmd.to, { from, dm: cmd.text });
        return JSON.stringify({ sent: r.published });
      }
      case "count":
        return JSON.stringify({ count: await this.presence.count(cmd.room) });
      case "join":
        session.join(cmd.room);
        return "ok";
      case "leave":
        session.leave(cmd.room);
        return "ok";
    }
  }
}

/** Starts one node of a cluster on a free loopback port. */
export function startNode(broker: Broker, nodeId?: string): Promise<ServerHandle> {
  return bootstrap({ endpoints: [ClusterEndpoint], port: 0, host: "127.0.0.1", broker, userId: { property: "user" }, logger: silentLogger, nodeId });
}

/** Connects `user` to `node`, joined to `rooms`, and waits until its @OnOpen ran. */
export async function connect(node: ServerHandle | number, user: string, rooms: readonly string[] = []): Promise<TestClient> {
  const port = typeof node === "number" ? node : node.address.port;
  const query = rooms.map((r) => `room=${encodeURIComponent(r)}`).join("&");
  const client = await openClient(`ws://127.0.0.1:${port}/c/${encodeURIComponent(user)}${query ? `?${query}` : ""}`);
  const first = await client.nextText();
  if (first !== "ready") throw new Error(`expected "ready", got ${first}`);
  return client;
}

/** Opens a test client and waits for the handshake. */
export async function openClient(url: string): Promise<TestClient> {
  const client = new TestClient(new WebSocket(url));
  await new Promise<void>((resolve, reject) => {
    client.ws.once("open", () => resolve());
    client.ws.once("error", reject);
  });
  return client;
}

/** Polls `read` until it returns `expected` (for state with no event to await: presence held in Redis). */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (let i = 0; i < 1000; i++) {
    try {
      last = await read();
      if (JSON.stringify(last) === JSON.stringify(expected)) return last;
    } catch {
      // not yet (e.g. the broker is still reconnecting)
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return last as T;
}

/**
 * Sends a fence to every client through `node` and checks that the fence is the next message each one
 * gets: a duplicate of an earlier message would arrive before it (one publisher's messages keep order).
 */
export async function expectNothingElse(node: ServerHandle, clients: readonly TestClient[]): Promise<string[]> {
  const fence = `fence-${Math.random().toString(36).slice(2)}`;
  await node.broadcaster.broadcast(fence);
  const got = await Promise.all(clients.map((c) => c.nextText()));
  return got.map((m) => (m === fence ? "fence" : m));
}
