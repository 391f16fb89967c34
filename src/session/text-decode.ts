import { isAscii, isUtf8 } from "node:buffer";

// Decoding received text (UTF-8 bytes) to strings, fast. Here, below the codecs, because a TextMessage
// (text-message.ts) decodes its bytes when first read and the outbound queue sends them on unread.

/**
 * Text of this many bytes or more is decoded in pieces of {@link PIECE} bytes joined with `+`. V8 keeps
 * the result as a rope (a cons string) of young, ordinary strings until something reads its characters,
 * and then flattens it once. A handler that only passes the text on (an echo, a relay: the send takes the
 * received bytes, inbound-text.ts) never reads them, so the message costs one copy into short-lived
 * strings that a scavenge frees. Decoded whole, 128 KiB or more is one large-object string (fresh pages
 * per message, freed only by a mark-compact), and Node's external strings (Latin-1 of 1 MB or more) are
 * memory V8 counts towards a mark-compact too: echoing 1 MiB of text cost 2.25-2.6x the CPU of raw ws,
 * 1.15-1.35x in pieces (bench/instructions/large-echo-server.js with the bench's GC settings; T3).
 */
const PIECES_FROM = 128 * 1024;
/** Under V8's large-object size: every piece is an ordinary new-space string. */
const PIECE = 64 * 1024;
/**
 * From this length, text is first checked for ASCII (a vectorised scan) and ASCII is decoded as Latin-1,
 * a plain copy: Node 20's V8 decodes UTF-8 without vector instructions (64 KiB of ASCII: 9-11 us, against
 * 6-7 us for the check, 0.8 us, and the copy). Below it, the extra call costs more than it saves.
 */
const ASCII_FROM = 4 * 1024;

/** @hidden The decoder of `string` payloads (a replacing UTF-8 decode); the dispatcher recognises it to reuse the bytes (inbound-text.ts). */
export function decodeText(data: Buffer): string {
  // No arguments: Buffer#toString goes straight to utf8Slice, skipping its range and encoding checks
  // (those were 4% of a 32 B echo's server CPU).
  if (data.length < ASCII_FROM) return data.toString();
  const ascii = isAscii(data);
  if (data.length >= PIECES_FROM) return decodeInPieces(data, ascii);
  // ASCII is its own Latin-1 form.
  return ascii ? data.toString("latin1") : data.toString();
}

/**
 * @hidden `decodeText` with the UTF-8 check of RFC 6455 §8.1: null when the bytes are not UTF-8. A replacing
 * decode that produced no U+FFFD was valid, so short text is checked again only when it holds one (a
 * quarter of the cost of a separate check); ASCII needs no check, and other large text is checked before
 * it is decoded, because searching a rope for U+FFFD would flatten it.
 */
export function decodeValidText(data: Buffer): string | null {
  const n = data.length;
  if (n >= ASCII_FROM) {
    if (isAscii(data)) return n >= PIECES_FROM ? decodeInPieces(data, true) : data.toString("latin1");
    if (n >= PIECES_FROM) return isUtf8(data) ? decodeInPieces(data, false) : null;
  }
  const text = data.toString();
  return text.indexOf("\uFFFD") !== -1 && !isUtf8(data) ? null : text;
}

/** Valid UTF-8 gives the same string as one decode: a piece ends before a character's first byte, never inside a character. */
function decodeInPieces(data: Buffer, ascii: boolean): string {
  const n = data.length;
  let text = "";
  let start = 0;
  while (start < n) {
    let end = start + PIECE;
    if (end >= n) end = n;
    // A character has at most three continuation bytes (10xxxxxx); longer runs are invalid and decode to U+FFFD either way.
    else if (!ascii) for (let k = 0; k < 3 && (data[end]! & 0xc0) === 0x80; k++) end--;
    // ASCII is its own Latin-1 form, and a Latin-1 decode is a plain copy.
    text += data.toString(ascii ? "latin1" : "utf8", start, end);
    start = end;
  }
  return text;
}
