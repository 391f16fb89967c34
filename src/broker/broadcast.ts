import * as ws from "ws";
import type { ObjectEncoder } from "../codec/coders.js";
import type { WsSession } from "../session/ws-session.js";
import { OUT } from "../session/outbound-entry.js";

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
// ws exports its Sender (also from its ESM wrapper); @types/ws does not describe it.
const frame = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender.frame;

const OPCODE_TEXT = 1;
const OPCODE_BINARY = 2;

/** One message ready to send: its payload and, built on first use, its unmasked frame. */
export class PreparedMessage {
  private frames: readonly Buffer[] | undefined;

  constructor(
    readonly data: Buffer,
    readonly binary: boolean,
  ) {}

  /** The complete frame (header and payload buffers), built once and shared by every session. */
  framed(): readonly Buffer[] {
    // Server frames are never masked, so the payload buffer is referenced, not copied.
    return (this.frames ??= Object.freeze(
      frame(this.data, { fin: true, opcode: this.binary ? OPCODE_BINARY : OPCODE_TEXT, mask: false, readOnly: false, rsv1: false }),
    ));
  }
}

/** What to broadcast: bytes already known, or an object each endpoint encodes with its own encoder. */
export type Outgoing = { readonly prepared: PreparedMessage } | { readonly object: unknown };

/**
 * The id of the broker message being delivered right now (set by the hub around each delivery, only
 * on nodes with session recovery): a recoverable session's recorder stores it beside the message.
 */
export const currentDelivery: { id: string | undefined } = { id: undefined };

/** How a delivery went on this node. */
export interface LocalOutcome {
  queued: number;
  failed: number;
  error: Error | undefined;
}

/**
 * Queues one message for each target session. The frame is built once; a session whose connection
 * negotiated permessage-deflate gets an ordinary send instead (its frames must be compressed per
 * connection). Everything goes through each session's own outbound queue, so per-session ordering and
 * backpressure hold and a slow member delays nobody else.
 */
export function deliverLocally(targets: Iterable<WsSession>, outgoing: Outgoing, except: ReadonlySet<string> | undefined): LocalOutcome {
  const outcome: LocalOutcome = { queued: 0, failed: 0, error: undefined };
  let encoded: Map<ObjectEncoder, PreparedMessage | Error> | undefined;
  for (const session of targets) {
    if (except !== undefined && except.has(session.id)) continue;
    let message: PreparedMessage | Error;
    if ("prepared" in outgoing) message = outgoing.prepared;
    else {
      encoded ??= new Map();
      const cached = encoded.get(session.encoder);
      message = cached ?? encodeFor(session, outgoing.object);
      if (cached === undefined) encoded.set(session.encoder, message);
    }
    const refused = message instanceof Error ? message : submit(session, message);
    if (refused === undefined) outcome.queued++;
    else {
      outcome.failed++;
      outcome.error ??= refused;
    }
  }
  return outcome;
}

function submit(session: WsSession, m: PreparedMessage): Error | undefined {
  if (session.transport.compressed) return session.deliver(m.binary ? OUT.BINARY : OUT.TEXT, m.data);
  return session.deliver(OUT.FRAMES, m.framed());
}

function encodeFor(session: WsSession, value: unknown): PreparedMessage | Error {
  try {
    const { data, binary } = session.encode(value);
    return new PreparedMessage(typeof data === "string" ? Buffer.from(data, "utf8") : data, binary);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
