import { withCorrelationId } from "../codec/json.js";
import type { WsSession } from "../session/ws-session.js";
import { OUT } from "../session/outbound-entry.js";
import { toBuffer } from "../session/remotes.js";
import { TextMessage } from "../session/text-message.js";

/**
 * Sends a handler's return value as its reply: a string as text (a TextMessage as its bytes), bytes as binary, anything else through
 * the endpoint's encoders, with the envelope's correlation id (`replyId`, in `idField`) when it had one.
 * Returns why the queue refused it, or undefined; throws what encoding throws (`EncodeError`).
 * Sent as awaited: a full queue takes it (policy "await", within its allowance) and holds the next message.
 */
export function submitReply(session: WsSession, value: unknown, replyId: unknown, idField: string | null): Error | undefined {
  if (typeof value === "string") return session.submit(OUT.TEXT, value, true, undefined, undefined, false, true);
  if (value instanceof TextMessage) return session.submit(OUT.TEXT, value.bytes, true, undefined, undefined, false, true);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return session.submit(OUT.BINARY, toBuffer(value as Buffer)!, true, undefined, undefined, false, true);
  const enc = replyId === undefined ? session.encode(value) : withCorrelationId(session.encode(value), idField!, replyId);
  return session.submit(enc.binary ? OUT.BINARY : OUT.TEXT, enc.data, true, undefined, undefined, false, true);
}
