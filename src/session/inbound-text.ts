/**
 * @hidden The text message a handler is running for, and the bytes it was decoded from. A handler
 * that sends that same text on (an echo, a relay loop over a room's sessions, a returned reply) would
 * otherwise encode it again for every send; a queue that sees an equal string takes the received bytes
 * instead. The bytes were checked as UTF-8 before the handler ran, so they are exactly what encoding the
 * string would produce. The dispatcher sets both fields just before the handler runs and clears them
 * when its synchronous part returns (or throws), so no session keeps a message's buffer alive after it
 * was handled. Fields of one shared object rather than setter functions: this is on every message.
 */
export const inboundText: { text: string | undefined; bytes: Buffer | undefined } = { text: undefined, bytes: undefined };

/**
 * @hidden The received bytes of `s` when `s` is the text being handled, else `s`. Strings of other
 * lengths fail the comparison at once; the same string object passes at once. The bytes may be a small
 * view of a large socket read: the queue copies them if it has to hold them (retained-bytes.ts).
 */
export function inboundBytesOf(s: string): string | Buffer {
  return s === inboundText.text ? inboundText.bytes! : s;
}

/** @hidden Forgets the handled text (the handler returned or threw). */
export function releaseInboundText(): void {
  inboundText.text = undefined;
  inboundText.bytes = undefined;
}
