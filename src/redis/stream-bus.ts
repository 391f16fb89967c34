import { randomBytes } from "node:crypto";
import type { BrokerMessage } from "../broker/broker.js";
import { BrokerError } from "../errors.js";
import { MessageDedupe, Verdicts, type DedupeCounters } from "./dedupe.js";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./envelope.js";
import { failure, type RedisClient, type RedisLink } from "./redis-link.js";
import type { ResolvedRedisOptions } from "./redis-options.js";
import { compareIds, idMs, parseStreamInfo, type StreamInfo } from "./stream-info.js";
import type { ResolvedStreamOptions } from "./stream-options.js";

/** How long one blocking read waits before it is issued again, in ms. */
const BLOCK_MS = 2000;
/** Back-off after a read that Redis refused while connected, in ms (doubling up to the maximum). */
const RETRY_MS = 50;
const RETRY_MAX_MS = 2000;

/** Counters of the stream reader (the dedupe keeps its own), read by `RedisBroker.stats`. */
export interface CatchUpCounters {
  /** Times the reader came back after losing Redis and read from where it stopped. */
  catchUps: number;
  /** Messages read by those catch-ups before the reader was live again. */
  caughtUp: number;
  /** Times Redis held less than this node had read (restarted without its data, or a fail-over): it read on from the stream's end. */
  rewinds: number;
  /** Times this node came back too late: entries it had not read were already trimmed (beyond maxAge or maxLength). */
  tooLate: number;
}

/** One publishing connection's identity: a random origin and its sequence numbers. */
export class StreamOrigin {
  id = newOrigin();
  seq = 0;

  /**
   * After a failed publish Redis may or may not hold it: a fresh origin starts numbering at 1, so the
   * receivers do not count the uncertain number as a lost message.
   */
  renew(): void {
    this.id = newOrigin();
    this.seq = 0;
  }
}

/**
 * The at-least-once path between nodes: every publish is appended to one Redis stream (`XADD`, trimmed
 * by length and age) with its origin and sequence number; one reader per broker follows the stream with
 * blocking reads from its own position. When the reader loses Redis it reconnects and reads on from
 * that position, so what was published meanwhile still arrives; a {@link MessageDedupe} drops what
 * arrives twice. Beyond the bounds (trimmed before it was read, origins evicted) nothing is silent:
 * it is counted and logged.
 */
export class StreamBus {
  readonly counters: CatchUpCounters = { catchUps: 0, caughtUp: 0, rewinds: 0, tooLate: 0 };
  private readonly dedupe: MessageDedupe;
  private readonly stream: ResolvedStreamOptions;
  private cursor = "0-0";
  private running = false;
  private starting: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private trimTimer: NodeJS.Timeout | null = null;
  /** When the reader lost Redis (ms), or 0 while it reads. */
  private awaySince = 0;
  /** Entries read now count as caught up: after a reconnection, until a batch ends short of `stream.batch`. */
  private catchingUp = false;

  constructor(
    private readonly link: RedisLink,
    private readonly key: string,
    private readonly options: ResolvedRedisOptions,
    private readonly deliver: (envelope: Envelope) => void,
  ) {
    this.stream = options.stream;
    this.dedupe = new MessageDedupe(this.stream.dedupeBytes);
  }

  /** The dedupe's memory, for stats. */
  get dedupeState(): { origins: number; bytes: number } {
    return { origins: this.dedupe.size, bytes: this.dedupe.bytes };
  }

  /** Counters of the bus and of its dedupe. */
  snapshot(): CatchUpCounters & DedupeCounters {
    return { ...this.counters, ...this.dedupe.counters };
  }

  /** How far this node has read (a stream id): every entry up to it was delivered. */
  get position(): string {
    return this.cursor;
  }

  /**
   * The messages of the stream after `from`, read on the publishing connection (so after everything this
   * node published before), with whether the stream still held everything after `from`.
   */
  async replay(from: string): Promise<{ messages: BrokerMessage[]; complete: boolean }> {
    const pub = this.link.publisher();
    const reply = await pub.xinfo("STREAM", this.key).catch((e: Error) => (/no such key/i.test(e.message) ? null : Promise.reject(e)));
    const info = parseStreamInfo(reply);
    // Nothing after `from` was trimmed. Redis 7 says so exactly (its highest deleted id, "0-0" when none);
    // before it, the first entry held must be at or before `from`.
    const exact = Array.isArray(reply) && reply.some((f, i) => i % 2 === 0 && String(f) === "max-deleted-entry-id");
    const complete = exact
      ? info.maxDeletedId === undefined || compareIds(info.maxDeletedId, from) <= 0
      : compareIds(info.lastId, from) <= 0 || (info.firstId !== undefined && compareIds(info.firstId, from) <= 0);
    const entries = (await pub.xrangeBuffer(this.key, `(${from}`, "+")) as Array<[Buffer, Buffer[]]>;
    const messages: BrokerMessage[] = [];
    for (const [, fields] of entries) {
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i]!.toString() !== "e") continue;
        try {
          messages.push(decodeEnvelope(fields[i + 1]!).message);
        } catch {
          // Malformed: the reader counted it already.
        }
      }
    }
    return { messages, complete };
  }

  /** Starts reading at the stream's current end (once for all callers; again after {@link stop}). */
  start(): Promise<void> {
    return (this.starting ??= this.begin().catch((error: unknown) => {
      // A failed start (Redis refused the first read) must not stick: the next subscribe tries again.
      this.starting = null;
      throw error;
    }));
  }

  private async begin(): Promise<void> {
    const client = this.link.reader;
    if (client === null) throw new BrokerError("the Redis link is not open");
    const last = (await client.xrevrange(this.key, "+", "-", "COUNT", 1)) as Array<[string, string[]]>;
    this.cursor = last[0]?.[0] ?? "0-0";
    this.running = true;
    this.loop = this.read(client);
    const every = Math.max(1000, Math.min(10_000, Math.floor(this.stream.maxAge / 4)));
    this.trimTimer = setInterval(() => this.trim(), every);
    this.trimTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.starting = null;
    if (this.trimTimer !== null) clearInterval(this.trimTimer);
    this.trimTimer = null;
    this.wake?.();
    const loop = this.loop;
    this.loop = null;
    await loop;
  }

  /** Appends a message; resolves once Redis (and `stream.replicas` replicas) hold it. */
  async publish(origin: StreamOrigin, nodeId: string, message: BrokerMessage): Promise<void> {
    const pub = this.link.publisher();
    const envelope = encodeEnvelope(nodeId, message);
    const id = origin.id;
    const seq = ++origin.seq;
    const args = [this.key, "MAXLEN", "~", this.stream.maxLength, "*", "o", id, "s", seq, "e", envelope] as const;
    try {
      if (this.stream.replicas === 0) await pub.xadd(...args);
      else await this.publishReplicated(pub, args);
      this.link.counters.published++;
    } catch (error) {
      origin.renew();
      const e = error instanceof BrokerError ? error : new BrokerError(`Appending to the Redis stream failed: ${failure(error)}; the message reached this node only.`, error);
      throw this.link.failed(e, true);
    }
  }

  private async publishReplicated(pub: RedisClient, args: readonly [string, ...(string | number | Buffer)[]]): Promise<void> {
    const { replicas, replicaTimeout } = this.stream;
    const results = await pub.pipeline().xadd(...(args as unknown as [string, string])).wait(replicas, replicaTimeout).exec();
    for (const [error] of results ?? []) if (error) throw error;
    const acked = Number(results?.[1]?.[1] ?? 0);
    if (acked < replicas) {
      throw new BrokerError(
        `Only ${acked} of ${replicas} replicas took the message within ${replicaTimeout} ms; a fail-over could lose it, so it is not reported published (other nodes may still get it).`,
      );
    }
  }

  private async read(client: RedisClient): Promise<void> {
    let failures = 0;
    let resync = false;
    while (this.running) {
      if (client.status !== "ready") {
        if (this.awaySince === 0) this.awaySince = Date.now();
        await this.whenReady(client);
        resync = true;
        continue;
      }
      try {
        if (resync) await this.catchUp(client);
        resync = false;
        const reading = client.xreadBuffer("COUNT", this.stream.batch, "BLOCK", BLOCK_MS, "STREAMS", this.key, this.cursor) as Promise<StreamReply | null>;
        const reply = await unlessClosed(client, reading);
        failures = 0;
        if (reply === null) this.catchingUp = false;
        else this.take(reply);
      } catch (error) {
        if (!this.running) return;
        resync = true;
        if (this.awaySince === 0) this.awaySince = Date.now();
        // Refused while connected (ACL, wrong type, a replica): report it and back off, never spin.
        if (client.status === "ready") {
          this.link.failed(new BrokerError(`Reading the Redis stream failed: ${(error as Error).message}`, error), false);
          await this.pause(Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** failures++));
        }
      }
    }
  }

  /** After an outage: checks what the stream still holds against this node's position. */
  private async catchUp(client: RedisClient): Promise<void> {
    const info = parseStreamInfo(await client.xinfo("STREAM", this.key).catch((e: Error) => (/no such key/i.test(e.message) ? null : Promise.reject(e))));
    const away = this.awaySince === 0 ? 0 : Date.now() - this.awaySince;
    this.awaySince = 0;
    this.counters.catchUps++;
    this.catchingUp = true;
    if (compareIds(info.lastId, this.cursor) < 0) {
      // Redis came back without what this node had read (no persistence, or a fail-over to a replica
      // that had not received it): anything newer is after the stream's new end.
      this.counters.rewinds++;
      this.options.logger.warn({}, `the Redis stream ends at ${info.lastId}, before this node's position ${this.cursor} (Redis lost data: restarted without persistence, or failed over); reading on from its end`);
      this.cursor = info.lastId;
    } else if (this.trimmedPast(info) || away > this.stream.maxAge) {
      this.counters.tooLate++;
      this.options.logger.warn(
        {},
        `this node was away from Redis for ${away} ms; entries it had not read were trimmed (stream.maxAge ${this.stream.maxAge} ms, stream.maxLength ${this.stream.maxLength}): messages published then are lost for its sessions`,
      );
    } else this.options.logger.info({}, `reading what was published during ${away} ms away from Redis, from ${this.cursor}`);
  }

  private trimmedPast(info: StreamInfo): boolean {
    if (info.maxDeletedId !== undefined) return compareIds(info.maxDeletedId, this.cursor) > 0;
    return info.firstId !== undefined && compareIds(info.firstId, this.cursor) > 0 && this.cursor !== "0-0";
  }

  private take(reply: StreamReply): void {
    const now = Date.now();
    for (const [, entries] of reply) {
      for (const [id, fields] of entries) {
        this.cursor = id.toString();
        if (this.catchingUp) this.counters.caughtUp++;
        this.entry(fields, now);
      }
      // A short batch reached the end of the stream: the catch-up is over.
      if (entries.length < this.stream.batch) this.catchingUp = false;
    }
  }

  private entry(fields: Buffer[], now: number): void {
    let origin: string | undefined;
    let seq = NaN;
    let data: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!.toString();
      if (name === "o") origin = fields[i + 1]!.toString();
      else if (name === "s") seq = Number(fields[i + 1]!.toString());
      else if (name === "e") data = fields[i + 1];
    }
    let envelope: Envelope;
    try {
      if (origin === undefined || data === undefined || !Number.isSafeInteger(seq) || seq < 1) throw new RangeError("an entry without origin, sequence or envelope");
      envelope = decodeEnvelope(data);
    } catch (error) {
      this.link.counters.malformed++;
      this.options.logger.warn({ err: error }, `ignored a malformed entry of the stream ${this.key}`);
      return;
    }
    const verdict = this.dedupe.check(origin, seq, now);
    if (verdict === Verdicts.NEW || verdict === Verdicts.LATE) {
      this.link.counters.received++;
      this.deliver(envelope);
    } else if (verdict === Verdicts.TOO_OLD) {
      this.options.logger.debug({}, `dropped message ${origin}:${seq}: older than what this node remembers of its origin`);
    }
  }

  /** Trims by age on Redis's own clock (the newest id read), and forgets origins that went quiet. */
  private trim(): void {
    const newest = idMs(this.cursor);
    if (newest === 0) return;
    this.dedupe.forgetIdle(Date.now() - 2 * this.stream.maxAge);
    const pub = this.link.readyClient;
    if (pub === null) return;
    // Exact, not "~": approximate trimming only drops whole radix nodes and could keep old entries long.
    pub.xtrim(this.key, "MINID", `${Math.max(0, newest - this.stream.maxAge)}-0`).catch((e: Error) => this.options.logger.debug({ err: e }, "trimming the stream failed"));
  }

  private whenReady(client: RedisClient): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        client.off("ready", done);
        this.wake = null;
        resolve();
      };
      this.wake = done;
      client.once("ready", done);
      if (client.status === "ready" || !this.running) done();
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

type StreamReply = Array<[Buffer, Array<[Buffer, Buffer[]]>]>;

/** `reading`, or a rejection as soon as the connection closes (a read in flight may then never settle). */
function unlessClosed<T>(client: RedisClient, reading: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error("the connection closed during a read"));
    client.once("close", onClose);
    reading.then(
      (value) => {
        client.off("close", onClose);
        resolve(value);
      },
      (error: unknown) => {
        client.off("close", onClose);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function newOrigin(): string {
  return randomBytes(8).toString("hex");
}
