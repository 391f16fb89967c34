/**
 * Largest payload sent as one buffer holding header and payload. ws writes a frame as two chunks (header,
 * then payload), and each socket write costs more than copying a small payload: one write instead of
 * two is about a tenth of a 32 B echo's server CPU. Above this size the copy costs more than it saves.
 */
export const SMALL_FRAME = 1024;

/**
 * @hidden A final, unmasked, uncompressed data frame (RFC 6455 §5.2) of a payload of at most
 * {@link SMALL_FRAME} bytes, in one buffer: the frame ws's `Sender.frame` would produce as header and
 * payload. Only for a server's frames (clients mask) on a connection without permessage-deflate.
 */
export function smallFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x80 | opcode;
  if (head === 2) frame[1] = n;
  else {
    frame[1] = 126;
    frame[2] = n >>> 8;
    frame[3] = n & 0xff;
  }
  frame.set(payload, head);
  return frame;
}
