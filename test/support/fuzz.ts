/**
 * Runs fuzz cases against a real server over raw TCP and checks each answer against the model in
 * fuzz-model.ts. Shared by the short run (npm test) and the full run (test/fuzz).
 */
import "reflect-metadata";
import fc from "fast-check";
import { CloseReason, OnClose, OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { OP, toEvents } from "./frames.js";
import { encode, expectedOutcome, FUZZ_MAX_MESSAGE, fuzzCase, type FuzzCase } from "./fuzz-model.js";
import { CountingLogger, LifecycleTracker } from "./lifecycle-tracker.js";
import { RawClient } from "./raw-client.js";

let tracker = new LifecycleTracker();

@ServerEndpoint({ path: "/fuzz", maxMessageSize: FUZZ_MAX_MESSAGE })
export class FuzzEcho {
  @OnOpen() open(session: Session) {
    tracker.open(session.getId());
  }
  @OnMessage() text(msg: string): string {
    return msg;
  }
  @OnMessage() binary(data: Buffer): Buffer {
    return data;
  }
  @OnClose() close(session: Session, reason: CloseReason) {
    tracker.close(session.getId(), reason.getCloseCode());
  }
}

const CASE_TIMEOUT_MS = 5000;

/** Sends one case and throws (with what differed) when the server's answer is not the model's. */
async function runCase(port: number, c: FuzzCase, stats: FuzzStats): Promise<void> {
  const expected = expectedOutcome(c.frames, c.finalClose);
  const client = await RawClient.connect(port, "/fuzz");
  try {
    let stream = Buffer.concat(c.frames.map(encode));
    if (!expected.clean) stream = Buffer.concat([stream, closeFrame(c.finalClose)]);
    let from = 0;
    for (const s of [...c.splits].sort((a, b) => a - b)) {
      const to = Math.floor(s * stream.length);
      if (to > from) await client.write(stream.subarray(from, to));
      from = Math.max(from, to);
    }
    await client.write(stream.subarray(from));
    if (expected.clean) {
      const want = expected.messages.length;
      await client.until((f) => f.filter((x) => x.opcode < 8).length >= want && f.filter((x) => x.opcode === OP.PONG).length >= expected.pongs.length, CASE_TIMEOUT_MS);
      await client.write(closeFrame(c.finalClose));
    }
    await client.until((f) => f.some((x) => x.opcode === OP.CLOSE), CASE_TIMEOUT_MS);
    client.end();
    const closed = await Promise.race([client.closed, timeout(CASE_TIMEOUT_MS, "the connection did not end")]);
    const events = toEvents(closed.frames);
    const closeAt = events.findIndex((e) => e.kind === "close");
    const got = events.slice(0, closeAt === -1 ? events.length : closeAt);
    const messages = got.filter((e) => e.kind === "text" || e.kind === "binary").map((e) => ({ type: e.kind, data: Buffer.from(e.kind === "text" ? e.data : (e.data as Buffer)) }));
    const pongs = got.filter((e) => e.kind === "pong").map((e) => (e as { data: Buffer }).data);
    const closeEvent = events[closeAt] as { kind: "close"; code: number } | undefined;
    const problems: string[] = [];
    if (closeEvent === undefined) problems.push("no close frame from the server");
    else if (closeEvent.code !== expected.closeCode) problems.push(`close code ${closeEvent.code}, expected ${expected.closeCode}`);
    if (closeAt !== -1 && closeAt !== events.length - 1) problems.push("frames after the close frame");
    if (closed.frames.some((f) => f.masked || f.rsv !== 0)) problems.push("a server frame was masked or had RSV bits");
    const isPrefix = <T>(a: T[], b: T[], eq: (x: T, y: T) => boolean): boolean => a.length <= b.length && a.every((x, i) => eq(x, b[i]!));
    const sameMsg = (x: { type: string; data: Buffer }, y: { type: string; data: Buffer }): boolean => x.type === y.type && x.data.equals(y.data);
    if (expected.clean ? messages.length !== expected.messages.length || !isPrefix(messages, expected.messages, sameMsg) : !isPrefix(messages, expected.messages, sameMsg)) {
      problems.push(`echoes ${JSON.stringify(messages.map(short))}, expected ${expected.clean ? "" : "a prefix of "}${JSON.stringify(expected.messages.map(short))}`);
    }
    const samePong = (x: Buffer, y: Buffer): boolean => x.equals(y);
    if (expected.clean ? pongs.length !== expected.pongs.length || !isPrefix(pongs, expected.pongs, samePong) : !isPrefix(pongs, expected.pongs, samePong)) {
      problems.push(`pongs ${pongs.length}, expected ${expected.clean ? "" : "at most "}${expected.pongs.length}`);
    }
    if (problems.length > 0) throw new Error(problems.join("; "));
    stats.cases++;
    stats.byCloseCode[expected.closeCode] = (stats.byCloseCode[expected.closeCode] ?? 0) + 1;
    stats.messagesEchoed += messages.length;
  } finally {
    client.socket.destroy();
  }
}

function short(m: { type: string; data: Buffer }): string {
  return `${m.type}(${m.data.length})`;
}

function closeFrame(payload: Buffer): Buffer {
  return encode({ opcode: OP.CLOSE, payload });
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms).unref());
}

export interface FuzzStats {
  cases: number;
  byCloseCode: Record<number, number>;
  messagesEchoed: number;
  sessionsOpened: number;
  onCloseNotOnce: number;
  sessionsLeft: number;
  loggedProblems: string[];
  controlEcho: string;
}

/** Runs `numRuns` cases (fast-check shrinks a failure to a minimal frame sequence) and checks for leaks. */
export async function runFuzz(numRuns: number, seed?: number): Promise<FuzzStats> {
  tracker = new LifecycleTracker();
  const logger = new CountingLogger();
  const server = await TestServer.start([FuzzEcho], { logger });
  const stats: FuzzStats = { cases: 0, byCloseCode: {}, messagesEchoed: 0, sessionsOpened: 0, onCloseNotOnce: 0, sessionsLeft: 0, loggedProblems: [], controlEcho: "" };
  try {
    const control = await server.connect("/fuzz");
    const port = server.handle.address.port;
    await fc.assert(
      fc.asyncProperty(fuzzCase, (c) => runCase(port, c, stats)),
      { numRuns, seed, endOnFailure: false, interruptAfterTimeLimit: undefined },
    );
    await control.send("alive");
    stats.controlEcho = await control.nextText();
    await control.close(1000);
    stats.sessionsOpened = tracker.opened.size;
    await tracker.whenClosed(stats.sessionsOpened, 30_000);
    stats.onCloseNotOnce = tracker.unbalanced().length;
    stats.sessionsLeft = server.handle.sessions.size;
    stats.loggedProblems = logger.problems.slice(0, 10);
    return stats;
  } finally {
    await server.close();
  }
}

