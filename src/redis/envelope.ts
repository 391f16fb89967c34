import { BrokerMessageKinds, PayloadKinds, type BrokerMessage, type PayloadKind } from "../broker/broker.js";

/**
 * The bytes a node publishes on the Redis channel: a small binary header (version, kinds, the origin
 * node id, addressing) followed by the payload as is, so binary data crosses untouched and no node
 * delivers its own publish twice.
 *
 * ```
 * u8 version=1 | u8 kind (1 broadcast, 2 to-user) | u8 payload kind | u8 flags (1: has room, 2: has trace)
 * str origin | broadcast: [str room] u16 n, n × str except | to-user: str userId | [str traceparent] | [str id] | payload bytes…
 * str = u16 byte length + UTF-8
 * ```
 */
const VERSION = 1;
const KIND_BROADCAST = 1;
const KIND_TO_USER = 2;
const HAS_ROOM = 1;
/** A W3C traceparent follows the addressing: only set with tracing on, so other envelopes are unchanged. */
const HAS_TRACE = 2;
/** The message id follows (only from nodes with session recovery), so other envelopes are unchanged. */
const HAS_ID = 4;
const MAX_STRING = 0xffff;

/** A decoded envelope. */
export interface Envelope {
  readonly origin: string;
  readonly message: BrokerMessage;
}

export function encodeEnvelope(origin: string, message: BrokerMessage): Buffer {
  const strings: Buffer[] = [Buffer.from(origin, "utf8")];
  let flags = 0;
  if (message.kind === BrokerMessageKinds.BROADCAST) {
    if (message.room !== undefined) {
      flags |= HAS_ROOM;
      strings.push(Buffer.from(message.room, "utf8"));
    }
    for (const id of message.except) strings.push(Buffer.from(id, "utf8"));
  } else strings.push(Buffer.from(message.userId, "utf8"));
  if (message.traceparent !== undefined) {
    flags |= HAS_TRACE;
    strings.push(Buffer.from(message.traceparent, "utf8"));
  }
  if (message.id !== undefined) {
    flags |= HAS_ID;
    strings.push(Buffer.from(message.id, "utf8"));
  }
  let size = 4;
  for (const s of strings) {
    if (s.length > MAX_STRING) throw new RangeError(`an id or room name of ${s.length} bytes is too long to publish`);
    size += 2 + s.length;
  }
  if (message.kind === BrokerMessageKinds.BROADCAST) {
    if (message.except.length > MAX_STRING) throw new RangeError(`except lists ${message.except.length} sessions; at most ${MAX_STRING} can be published`);
    size += 2;
  }
  const header = Buffer.allocUnsafe(size);
  header[0] = VERSION;
  header[1] = message.kind === BrokerMessageKinds.BROADCAST ? KIND_BROADCAST : KIND_TO_USER;
  header[2] = message.payload.kind;
  header[3] = flags;
  let o = 4;
  const put = (s: Buffer): void => {
    header.writeUInt16BE(s.length, o);
    s.copy(header, o + 2);
    o += 2 + s.length;
  };
  put(strings[0]!);
  if (message.kind === BrokerMessageKinds.BROADCAST) {
    let i = 1;
    if (flags & HAS_ROOM) put(strings[i++]!);
    header.writeUInt16BE(message.except.length, o);
    o += 2;
    for (const end = i + message.except.length; i < end; i++) put(strings[i]!);
  } else put(strings[1]!);
  const tail = strings.length - (flags & HAS_ID ? 1 : 0);
  if (flags & HAS_TRACE) put(strings[tail - 1]!);
  if (flags & HAS_ID) put(strings[tail]!);
  return Buffer.concat([header, message.payload.data], header.length + message.payload.data.length);
}

/** @throws RangeError when `buf` is not a well-formed envelope. */
export function decodeEnvelope(buf: Buffer): Envelope {
  if (buf.length < 4 || buf[0] !== VERSION) throw new RangeError(`not a ws-endpoints envelope (version ${buf[0]})`);
  const kind = buf[1];
  const payloadKind = buf[2] as PayloadKind;
  if (payloadKind !== PayloadKinds.TEXT && payloadKind !== PayloadKinds.BINARY && payloadKind !== PayloadKinds.OBJECT) throw new RangeError(`unknown payload kind ${payloadKind}`);
  const flags = buf[3]!;
  let o = 4;
  const take = (): string => {
    if (o + 2 > buf.length) throw new RangeError("truncated envelope");
    const len = buf.readUInt16BE(o);
    if (o + 2 + len > buf.length) throw new RangeError("truncated envelope");
    const s = buf.toString("utf8", o + 2, o + 2 + len);
    o += 2 + len;
    return s;
  };
  const origin = take();
  let message: BrokerMessage;
  if (kind === KIND_BROADCAST) {
    const room = flags & HAS_ROOM ? take() : undefined;
    if (o + 2 > buf.length) throw new RangeError("truncated envelope");
    const n = buf.readUInt16BE(o);
    o += 2;
    const except: string[] = [];
    for (let i = 0; i < n; i++) except.push(take());
    const traceparent = flags & HAS_TRACE ? take() : undefined;
    const id = flags & HAS_ID ? take() : undefined;
    message = { kind: BrokerMessageKinds.BROADCAST, room, except, payload: { kind: payloadKind, data: buf.subarray(o) } };
    if (traceparent !== undefined) message = { ...message, traceparent };
    if (id !== undefined) message = { ...message, id };
  } else if (kind === KIND_TO_USER) {
    const userId = take();
    const traceparent = flags & HAS_TRACE ? take() : undefined;
    const id = flags & HAS_ID ? take() : undefined;
    message = { kind: BrokerMessageKinds.TO_USER, userId, payload: { kind: payloadKind, data: buf.subarray(o) } };
    if (traceparent !== undefined) message = { ...message, traceparent };
    if (id !== undefined) message = { ...message, id };
  } else throw new RangeError(`unknown message kind ${kind}`);
  return { origin, message };
}
