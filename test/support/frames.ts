/**
 * A tiny RFC 6455 frame builder and parser for test clients that must send what no real client would:
 * any opcode, RSV bits, masks, length encodings. Test code only; the server side always uses `ws`.
 */
import { randomBytes } from "node:crypto";

export const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface FrameSpec {
  fin?: boolean;
  /** Three bits: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** Client frames must be masked; `false` sends an unmasked frame (a protocol error). */
  masked?: boolean;
  /** A fixed masking key; random when omitted. */
  maskKey?: Buffer;
  /** Length encoding: "auto" (minimal), or force the 16-bit or 64-bit extended form. */
  lengthForm?: "auto" | "16" | "64";
}

/** Encodes one frame. */
export function buildFrame(spec: FrameSpec): Buffer {
  const { fin = true, rsv = 0, opcode, payload, masked = true, lengthForm = "auto" } = spec;
  const len = payload.length;
  const form = lengthForm === "auto" ? (len < 126 ? "7" : len < 65536 ? "16" : "64") : lengthForm;
  const headerLen = 2 + (form === "16" ? 2 : form === "64" ? 8 : 0) + (masked ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLen + len);
  out[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  let at = 2;
  if (form === "7") out[1] = len;
  else if (form === "16") {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
    at = 4;
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(len), 2);
    at = 10;
  }
  if (masked) {
    out[1]! |= 0x80;
    const key = spec.maskKey ?? randomBytes(4);
    key.copy(out, at, 0, 4);
    at += 4;
    for (let i = 0; i < len; i++) out[at + i] = payload[i]! ^ key[i & 3]!;
  } else payload.copy(out, at);
  return out;
}

/** A close frame payload: 2-byte code and UTF-8 reason. */
export function closePayload(code: number, reason = ""): Buffer {
  const r = Buffer.from(reason);
  const b = Buffer.allocUnsafe(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/** A frame as the server sent it. */
export interface ParsedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Incremental parser of a byte stream into frames (server→client: unmasked). */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  readonly frames: ParsedFrame[] = [];

  push(chunk: Buffer): ParsedFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const found: ParsedFrame[] = [];
    for (;;) {
      const b = this.buf;
      if (b.length < 2) break;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const keyAt = at;
      if (masked) at += 4;
      if (b.length < at + len) break;
      let payload = Buffer.from(b.subarray(at, at + len));
      if (masked) payload = Buffer.from(payload.map((x, i) => x ^ b[keyAt + (i & 3)]!));
      const f: ParsedFrame = { fin: (b[0]! & 0x80) !== 0, rsv: (b[0]! >> 4) & 7, opcode: b[0]! & 0x0f, masked, payload };
      found.push(f);
      this.frames.push(f);
      this.buf = b.subarray(at + len);
    }
    return found;
  }
}

/** A whole message reassembled from server frames, or a control frame. */
export type ServerEvent =
  | { kind: "text"; data: string }
  | { kind: "binary"; data: Buffer }
  | { kind: "ping" | "pong"; data: Buffer }
  | { kind: "close"; code: number; reason: string };

/** Reassembles fragmented server messages; control frames pass through. */
export function toEvents(frames: readonly ParsedFrame[]): ServerEvent[] {
  const events: ServerEvent[] = [];
  let parts: Buffer[] = [];
  let type = -1;
  for (const f of frames) {
    if (f.opcode >= 0x8) {
      if (f.opcode === OP.CLOSE) {
        events.push({ kind: "close", code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString() });
      } else events.push({ kind: f.opcode === OP.PING ? "ping" : "pong", data: f.payload });
      continue;
    }
    if (f.opcode !== OP.CONT) type = f.opcode;
    parts.push(f.payload);
    if (f.fin) {
      const data = Buffer.concat(parts);
      parts = [];
      events.push(type === OP.TEXT ? { kind: "text", data: data.toString() } : { kind: "binary", data });
    }
  }
  return events;
}
