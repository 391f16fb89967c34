/**
 * Frame-level fuzzing: fast-check arbitraries that build client frame sequences (well-formed messages,
 * fragments with control frames between them, raw frames with any opcode, close frames with any code,
 * then random RSV bits, missing masks and non-minimal lengths), and a model of what an RFC 6455 server
 * must answer: the echo of each complete message, a pong per ping, and the close code.
 */
import fc from "fast-check";
import { buildFrame, OP, type FrameSpec } from "./frames.js";

/** Largest message the fuzzed endpoint accepts (small, so 1009 is reachable). */
export const FUZZ_MAX_MESSAGE = 512;

/** A frame to send: its spec, or a header announcing a length beyond 2^53 (no payload follows). */
export type FuzzFrame = FrameSpec | { huge: true; opcode: number; rsv: number; masked: boolean };

export interface Expected {
  /** Echoes of complete messages, in order. */
  messages: Array<{ type: "text" | "binary"; data: Buffer }>;
  /** Payloads of the pongs answering pings, in order. */
  pongs: Buffer[];
  /** The code of the server's close frame (1005: empty close frame). */
  closeCode: number;
  /** True when no error and no close frame occurs in the sequence: the client closes after all answers. */
  clean: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function isUtf8(b: Buffer): boolean {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** What the server must do with `frames` (followed, when clean, by a client close frame with `finalClose`). */
export function expectedOutcome(frames: readonly FuzzFrame[], finalClose: Buffer): Expected {
  const out: Expected = { messages: [], pongs: [], closeCode: 0, clean: false };
  let fragmented = 0; // opcode of the message being reassembled, 0 when none
  let parts: Buffer[] = [];
  let total = 0;
  const fail = (code: number): Expected => ({ ...out, closeCode: code });
  for (const f of frames) {
    const control = f.opcode >= 0x8;
    const fin = "huge" in f ? true : (f.fin ?? true);
    if ((f.rsv ?? 0) !== 0) return fail(1002);
    if (f.opcode === OP.CONT) {
      if (fragmented === 0) return fail(1002);
    } else if (f.opcode === OP.TEXT || f.opcode === OP.BINARY) {
      if (fragmented !== 0) return fail(1002);
    } else if (f.opcode >= 0x8 && f.opcode <= 0xa) {
      if (!fin) return fail(1002);
      // ws reads a 16- or 64-bit length marker (126, 127) on a control frame as "longer than 125".
      const len = "huge" in f ? 127 : f.lengthForm === "16" ? 126 : f.lengthForm === "64" ? 127 : f.payload.length;
      if (len > 125 || (f.opcode === OP.CLOSE && len === 1)) return fail(1002);
    } else return fail(1002);
    if (f.masked === false) return fail(1002);
    if ("huge" in f) return fail(1009);
    if (!control) {
      if (fragmented === 0 && !fin) fragmented = f.opcode;
      total += f.payload.length;
      if (total > FUZZ_MAX_MESSAGE) return fail(1009);
      parts.push(f.payload);
      if (fin) {
        const type = f.opcode === OP.CONT ? fragmented : f.opcode;
        const data = Buffer.concat(parts);
        if (type === OP.TEXT && !isUtf8(data)) return fail(1007);
        out.messages.push({ type: type === OP.TEXT ? "text" : "binary", data });
        parts = [];
        total = 0;
        fragmented = 0;
      }
    } else if (f.opcode === OP.PING) out.pongs.push(f.payload);
    else if (f.opcode === OP.CLOSE) return { ...out, closeCode: closeAnswer(f.payload) };
  }
  return { ...out, closeCode: closeAnswer(finalClose), clean: true };
}

function closeAnswer(payload: Buffer): number {
  if (payload.length === 0) return 1005;
  const code = payload.readUInt16BE(0);
  if (!validCloseCode(code)) return 1002;
  if (!isUtf8(payload.subarray(2))) return 1007;
  return code;
}

/** Encodes a fuzz frame. */
export function encode(f: FuzzFrame): Buffer {
  if (!("huge" in f)) return buildFrame(f);
  const b = Buffer.alloc(2 + 8 + (f.masked ? 4 : 0));
  b[0] = 0x80 | ((f.rsv & 7) << 4) | f.opcode;
  b[1] = (f.masked ? 0x80 : 0) | 127;
  b.writeUInt32BE(0x00400000, 2); // 2^54 and up: beyond what ws (and JavaScript) can address
  return b;
}

// ---- arbitraries ----

const validText = fc.string({ unit: "binary", maxLength: 80 }).map((s) => Buffer.from(s));
/** Valid UTF-8 with one byte flipped or the last character cut: mostly invalid. */
const brokenText = fc
  .tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.nat(), fc.integer({ min: 0x80, max: 0xff }), fc.boolean())
  .map(([s, at, byte, cut]) => {
    const b = Buffer.from(s);
    if (cut && b.length > 1) return b.subarray(0, b.length - 1);
    b[at % b.length] = byte;
    return b;
  });
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const bigBytes = fc.integer({ min: 126, max: 700 }).map((n) => Buffer.alloc(n, 0x61));

const controlFrame: fc.Arbitrary<FrameSpec> = fc.record({
  opcode: fc.constantFrom<number>(OP.PING, OP.PONG),
  payload: fc.oneof({ weight: 19, arbitrary: bytes(125) }, { weight: 1, arbitrary: bigBytes }),
});

/** A whole message, possibly fragmented, with control frames between its fragments. */
const message: fc.Arbitrary<FrameSpec[]> = fc
  .record({
    binary: fc.boolean(),
    payload: fc.oneof({ weight: 8, arbitrary: validText }, { weight: 1, arbitrary: brokenText }, { weight: 3, arbitrary: bytes(300) }, { weight: 1, arbitrary: bigBytes }),
    cuts: fc.uniqueArray(fc.nat(), { maxLength: 3 }),
    controls: fc.array(controlFrame, { maxLength: 2 }),
  })
  .map(({ binary, payload, cuts, controls }) => {
    const at = [...new Set(cuts.map((c) => (payload.length === 0 ? 0 : c % payload.length)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let from = 0;
    for (const c of at) {
      pieces.push(payload.subarray(from, c));
      from = c;
    }
    pieces.push(payload.subarray(from));
    const frames: FrameSpec[] = [];
    pieces.forEach((p, i) => {
      frames.push({ opcode: i === 0 ? (binary ? OP.BINARY : OP.TEXT) : OP.CONT, fin: i === pieces.length - 1, payload: p });
      if (i < pieces.length - 1 && controls[i]) frames.push(controls[i]!);
    });
    return frames;
  });

/** Any frame: any opcode (reserved ones too), FIN or not. */
const rawFrame: fc.Arbitrary<FrameSpec> = fc.record({
  opcode: fc.integer({ min: 0, max: 15 }),
  fin: fc.boolean(),
  payload: fc.oneof(bytes(140), validText),
});

const closeCode = fc.oneof(
  fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999),
  fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535),
  fc.integer({ min: 0, max: 65535 }),
);
const closeFrame: fc.Arbitrary<FrameSpec> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(closeCode, fc.oneof(validText.map((b) => b.subarray(0, 100)), brokenText)).map(([code, reason]) => ({ opcode: OP.CLOSE, payload: Buffer.concat([u16(code), reason]) })) },
  { weight: 1, arbitrary: fc.constant({ opcode: OP.CLOSE, payload: Buffer.alloc(0) }) },
  { weight: 1, arbitrary: fc.constant({ opcode: OP.CLOSE, payload: Buffer.from([3]) }) },
);

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** Rare per-frame mutations: RSV bits, a missing mask, a non-minimal length. */
const mutation = fc.record({
  rsv: fc.oneof({ weight: 60, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
  masked: fc.oneof({ weight: 100, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  lengthForm: fc.constantFrom<"auto" | "16" | "64">("auto", "auto", "auto", "16", "64"),
});

const unit: fc.Arbitrary<FuzzFrame[]> = fc.oneof(
  { weight: 16, arbitrary: message },
  { weight: 3, arbitrary: controlFrame.map((f) => [f]) },
  { weight: 1, arbitrary: rawFrame.map((f) => [f]) },
  { weight: 1, arbitrary: closeFrame.map((f) => [f]) },
  {
    weight: 1,
    arbitrary: fc
      .record({ opcode: fc.constantFrom(OP.TEXT, OP.BINARY, OP.PING), masked: fc.boolean() })
      .map((h) => [{ huge: true as const, opcode: h.opcode, rsv: 0, masked: h.masked }]),
  },
);

/** A case: frames, how the byte stream is cut into writes, and the client's final close. */
export interface FuzzCase {
  frames: FuzzFrame[];
  /** Write boundaries, as fractions of the stream. */
  splits: number[];
  finalClose: Buffer;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  frames: fc
    .tuple(fc.array(unit, { minLength: 1, maxLength: 4 }), fc.array(mutation, { maxLength: 20 }))
    .map(([units, mutations]) =>
      units.flat().map((f, i) => {
        const m = mutations[i];
        if (m === undefined || "huge" in f) return f;
        // Extended length forms on control frames are a protocol error; keep them rare (1 in 50).
        const lengthForm = f.opcode < 8 || i % 50 === 49 ? m.lengthForm : "auto";
        return { ...f, rsv: m.rsv, masked: m.masked, lengthForm };
      }),
    ),
  splits: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  finalClose: fc.oneof(
    fc.constant(u16(1000)),
    fc.constantFrom(3000, 4000, 4321, 1001, 1011).map((c) => Buffer.concat([u16(c), Buffer.from("bye")])),
    fc.constant(Buffer.alloc(0)),
  ),
});
