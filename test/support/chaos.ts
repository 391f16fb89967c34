/**
 * Chaos scenarios against one server, shared by the short run (npm test) and the full run. Each
 * scenario misbehaves with `n` connections while a well-behaved control client stays connected; the
 * caller then checks the server is healthy: control still served, @OnClose once per session, no
 * session left.
 */
import "reflect-metadata";
import WebSocket from "ws";
import { CloseReason, OnClose, OnError, OnMessage, OnOpen, ServerEndpoint, Session, type WebSocketEndpointError } from "../../src/index.js";
import { TestServer, type TestClient } from "../../src/testing/index.js";
import { buildFrame, OP } from "./frames.js";
import { collectUntil } from "./heap.js";
import { CountingLogger, LifecycleTracker } from "./lifecycle-tracker.js";
import { RawClient } from "./raw-client.js";

let tracker = new LifecycleTracker();
/** How each Basic send interrupted by a reset ended: "resolved" or an error code. */
let basicOutcomes: string[] = [];
/** Settles the handlers that "never resolve", so nothing outlives a test. */
let hanging: Array<() => void> = [];

const CHUNK = Buffer.alloc(256 * 1024, 7);

@ServerEndpoint("/chaos")
export class ChaosEndpoint {
  @OnOpen() open(session: Session) {
    tracker.open(session.getId(), session, this);
  }

  @OnMessage() text(msg: string, session: Session): string | Promise<string | undefined> {
    if (msg === "throw") throw new Error("handler failure on purpose");
    if (msg === "hang") return new Promise<undefined>((resolve) => hanging.push(() => resolve(undefined)));
    if (msg === "big") return this.bigBasicSends(session);
    return `echo:${msg}`;
  }

  /** Several large Basic sends; the peer resets the connection during them. */
  private async bigBasicSends(session: Session): Promise<undefined> {
    try {
      for (let i = 0; i < 16; i++) await session.getBasicRemote().sendBinary(CHUNK);
      basicOutcomes.push("resolved");
    } catch (error) {
      basicOutcomes.push((error as WebSocketEndpointError).code ?? String(error));
    }
    return undefined;
  }

  // A handler's own error arrives as thrown (no code); framework errors carry their code.
  @OnError() error(e: Error, session: Session) {
    tracker.error(e);
    if (session.isOpen()) session.getAsyncRemote().sendText(`error:${(e as WebSocketEndpointError).code ?? e.constructor.name}`);
  }

  @OnClose() close(session: Session, reason: CloseReason) {
    tracker.close(session.getId(), reason.getCloseCode());
  }
}

export interface ChaosRig {
  server: TestServer;
  tracker: LifecycleTracker;
  logger: CountingLogger;
  control: TestClient;
  basicOutcomes: string[];
  port: number;
}

/** Starts a fresh server and a connected control client. */
export async function startRig(options: { handlerTimeout?: number; closeTimeout?: number } = {}): Promise<ChaosRig> {
  tracker = new LifecycleTracker();
  basicOutcomes = [];
  const logger = new CountingLogger();
  const server = await TestServer.start([ChaosEndpoint], { logger, ...options });
  const control = await server.connect("/chaos");
  return { server, tracker, logger, control, basicOutcomes, port: server.handle.address.port };
}

/** Ends a rig: settles hanging handlers, closes the server. */
export async function stopRig(rig: ChaosRig | undefined): Promise<void> {
  for (const h of hanging.splice(0)) h();
  await rig?.server.close();
}

/** What the caller asserts after a scenario. */
export interface Health {
  controlEcho: string;
  /** Sessions opened during the rig's life, control included. */
  opened: number;
  onCloseNotOnce: number;
  sessionsLeft: number;
  leakedObjects: number;
}

/** Checks the control client is still served, closes it, waits for every @OnClose. */
export async function health(rig: ChaosRig): Promise<Health> {
  await rig.control.send("still there?");
  const controlEcho = await rig.control.nextText();
  await rig.control.close(1000);
  const opened = rig.tracker.opened.size;
  await rig.tracker.whenClosed(opened, 30_000);
  const sessionsLeft = rig.server.handle.sessions.size;
  const onCloseNotOnce = rig.tracker.unbalanced().length;
  // Abandoned (timed-out) handlers hold their session until they settle; settle them, then collect.
  for (const h of hanging.splice(0)) h();
  await collectUntil(() => rig.tracker.uncollected === 0);
  return { controlEcho, opened, onCloseNotOnce, sessionsLeft, leakedObjects: rig.tracker.uncollected };
}

/** Runs `count` tasks, at most `parallel` at a time. */
export async function pool(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/** A masked text frame cut in the middle of its payload. */
function halfFrame(): Buffer {
  const frame = buildFrame({ opcode: OP.TEXT, payload: Buffer.alloc(1000, "x") });
  return frame.subarray(0, 500);
}

/** Clients that drop TCP mid-frame: half of them with a FIN, half with a RST. */
export async function dropMidFrame(rig: ChaosRig, n: number): Promise<void> {
  await pool(n, 50, async (i) => {
    const c = await RawClient.connect(rig.port, "/chaos");
    await c.write(halfFrame());
    if (i % 2 === 0) c.reset();
    else c.socket.destroy();
    await c.closed;
  });
}

/** Clients that send half a frame and stall; the control client must be served meanwhile. */
export async function halfFrameStall(rig: ChaosRig, n: number): Promise<RawClient[]> {
  const stalled: RawClient[] = [];
  await pool(n, 50, async () => {
    const c = await RawClient.connect(rig.port, "/chaos");
    await c.write(halfFrame());
    stalled.push(c);
  });
  return stalled;
}

/** Clients that ask for large Basic sends and reset the connection once the first bytes arrive. */
export async function resetDuringBasicSend(rig: ChaosRig, n: number): Promise<void> {
  await pool(n, 20, async () => {
    const c = await RawClient.connect(rig.port, "/chaos");
    const firstBytes = new Promise<void>((resolve) => c.socket.once("data", () => resolve()));
    // Keep the server's writes backed up: stop reading after the first chunk.
    await c.sendText("big");
    await firstBytes;
    c.socket.pause();
    c.reset();
    await c.closed;
  });
}

/** `ws` clients that exchange one message and then vanish without a close frame. */
export async function closeWithoutFrame(rig: ChaosRig, n: number): Promise<void> {
  await pool(n, 50, async (i) => {
    const ws = await openWs(rig, "/chaos");
    const echoed = new Promise<string>((resolve) => ws.once("message", (d) => resolve(d.toString())));
    ws.send(`x${i}`);
    if ((await echoed) !== `echo:x${i}`) throw new Error("wrong echo before the drop");
    const closed = new Promise((r) => ws.once("close", r));
    ws.terminate();
    await closed;
  });
}

/**
 * Pings: a client that keeps at most `window` pings unanswered gets every pong, in order; a client that
 * bursts them all at once, or bursts and never reads, is cut off by ws's pending-pong limit
 * (`maxPendingAutoPongs`, 60): the server drops it and stays up.
 */
export async function pingFlood(rig: ChaosRig, pings: number, window = 50): Promise<{ pongsInOrder: number; burstCutOff: boolean; burstPongs: number }> {
  const ping = (i: number): Buffer => buildFrame({ opcode: OP.PING, payload: Buffer.from(String(i)) });
  const paced = await RawClient.connect(rig.port, "/chaos");
  for (let sent = 0; sent < pings; ) {
    const batch: Buffer[] = [];
    for (let k = 0; k < window && sent < pings; k++) batch.push(ping(sent++));
    await paced.write(Buffer.concat(batch));
    await paced.until((f) => f.filter((x) => x.opcode === OP.PONG).length >= sent, 10_000);
  }
  const pongs = paced.frames.filter((x) => x.opcode === OP.PONG);
  let pongsInOrder = 0;
  for (let i = 0; i < pongs.length; i++) if (pongs[i]!.payload.toString() === String(i)) pongsInOrder++;
  await paced.sendClose(1000);
  await paced.until((f) => f.some((x) => x.opcode === OP.CLOSE));
  paced.end();
  await paced.closed;

  const all = Buffer.concat(Array.from({ length: pings }, (_, i) => ping(i)));
  const burst = await RawClient.connect(rig.port, "/chaos");
  await burst.write(all);
  const burstEnd = await burst.closed;
  const burstCutOff = burstEnd.closeCode === undefined;
  const burstPongs = burstEnd.frames.filter((x) => x.opcode === OP.PONG).length;

  const deaf = await RawClient.connect(rig.port, "/chaos");
  deaf.socket.pause();
  await deaf.write(all);
  deaf.socket.destroy();
  await deaf.closed;
  return { pongsInOrder, burstCutOff, burstPongs };
}

/** Opens and closes `n` connections (each exchanges one message), `parallel` at a time. */
export async function openCloseMany(rig: ChaosRig, n: number, parallel = 50): Promise<{ closedNormally: number }> {
  let closedNormally = 0;
  await pool(n, parallel, async (i) => {
    const ws = await openWs(rig, "/chaos");
    const echoed = new Promise<string>((resolve) => ws.once("message", (d) => resolve(d.toString())));
    ws.send(`n${i}`);
    if ((await echoed) !== `echo:n${i}`) throw new Error("wrong echo");
    const code = await new Promise<number>((resolve) => {
      ws.once("close", (c: number) => resolve(c));
      ws.close(1000);
    });
    if (code === 1000) closedNormally++;
  });
  return { closedNormally };
}

/** Clients whose first message makes the handler throw (or hang); they must get the error, then an echo. */
export async function failingHandler(rig: ChaosRig, n: number, trigger: "throw" | "hang"): Promise<{ answers: string[][] }> {
  const answers: string[][] = [];
  await pool(n, 20, async () => {
    const c = await rig.server.connect("/chaos");
    await c.send(trigger);
    await c.send("after");
    answers.push([await c.nextText(30_000), await c.nextText(30_000)]);
    await c.close(1000);
  });
  return { answers };
}

function openWs(rig: ChaosRig, path: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${rig.server.url}${path}`);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}
