import { pinsLargerStore } from "./retained-bytes.js";

/**
 * The text message a handler is running for, and the bytes it was decoded from. A handler that sends
 * that same text on (an echo, a relay loop over a room's sessions, a returned reply) would otherwise
 * encode it again for every send; a queue that sees the identical string takes the received bytes
 * instead. The bytes are valid UTF-8 (ws validates text frames), so they are exactly what encoding the
 * string would produce. Set only while the handler's synchronous part runs, so no session keeps a
 * message's buffer alive after it was handled.
 */
let text: string | undefined;
let bytes: Buffer | undefined;
/** Whether `bytes` may be queued: decided on the first send of `text` (undefined: not yet). */
let reusable: boolean | undefined;

/** @internal The dispatcher is about to call a handler with `decoded`, read from `raw`. */
export function holdInboundText(decoded: string, raw: Buffer): void {
  text = decoded;
  bytes = raw;
  reusable = undefined;
}

/** @internal The handler returned. */
export function releaseInboundText(): void {
  text = undefined;
  bytes = undefined;
}

/**
 * @internal The received bytes of `s` when `s` is the text being handled, else `s`. Strings of other
 * lengths fail the comparison at once; the same string object passes at once. A small message cut from
 * a large socket read is encoded as usual (retained-bytes.ts); that check reads `Buffer#buffer`, which
 * costs about 20 ns, so it is made only when the text is sent on, and once per message.
 */
export function inboundBytesOf(s: string): string | Buffer {
  if (s !== text) return s;
  reusable ??= !pinsLargerStore(bytes!);
  return reusable ? bytes! : s;
}
