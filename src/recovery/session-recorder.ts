import { currentDelivery } from "../broker/broadcast.js";
import type { OutboundRecorder } from "../session/outbound-recorder.js";
import { OUT, type OutKind } from "../session/outbound-entry.js";
import type { WsSession } from "../session/ws-session.js";
import type { SessionBounds } from "./store.js";

const OPCODE_BINARY = 2;

/** What a recorder reports to (the server's recovery manager). */
export interface RecorderHost {
  /** A whole data message of `recorder`'s session, at `offset`; `id`: the broker message it delivers. */
  write(recorder: SessionRecorder, offset: number, binary: boolean, data: Buffer | string, id: string | undefined): void;
  changed(recorder: SessionRecorder): void;
  leaving(recorder: SessionRecorder, code: number | undefined, byServer: boolean): void;
}

/**
 * Numbers what one recoverable session sends, in wire order, and hands each whole message to the
 * store: the client counts the same messages, so its count is the offset it presents on recovery.
 * Pieces of a fragmented message are joined (the peer receives one message), and broadcasts held
 * behind it are numbered after it, as they leave.
 */
export class SessionRecorder implements OutboundRecorder {
  private fragments: Buffer[] | null = null;
  private fragmentBinary = false;
  private held: Array<{ binary: boolean; data: Buffer | string; id: string | undefined }> | null = null;
  /** A state save is queued for the end of this turn. */
  saveQueued = false;

  constructor(
    private readonly host: RecorderHost,
    readonly session: WsSession,
    /** The offset of the next data message. */
    public nextOffset: number,
    readonly recovered: boolean,
    readonly bounds: SessionBounds,
  ) {}

  record(kind: OutKind, data: string | Buffer | readonly Buffer[], fin: boolean): void {
    const binary = kind === OUT.FRAMES ? ((data as readonly Buffer[])[0]![0]! & 0x0f) === OPCODE_BINARY : kind === OUT.BINARY;
    const bytes = payload(kind, data);
    if (!fin) {
      if (this.fragments === null) {
        this.fragments = [];
        this.fragmentBinary = binary;
      }
      this.fragments.push(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes);
      return;
    }
    if (this.fragments !== null) {
      const whole = Buffer.concat([...this.fragments, typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes]);
      const wholeBinary = this.fragmentBinary;
      this.fragments = null;
      this.write(wholeBinary, whole, undefined);
      const held = this.held;
      this.held = null;
      for (const h of held ?? []) this.write(h.binary, h.data, h.id);
      return;
    }
    this.write(binary, bytes, currentDelivery.id);
  }

  hold(kind: OutKind, data: string | Buffer | readonly Buffer[]): void {
    const binary = kind === OUT.FRAMES ? ((data as readonly Buffer[])[0]![0]! & 0x0f) === OPCODE_BINARY : kind === OUT.BINARY;
    (this.held ??= []).push({ binary, data: payload(kind, data), id: currentDelivery.id });
  }

  changed(): void {
    this.host.changed(this);
  }

  leaving(code: number | undefined, byServer: boolean): void {
    this.session.recorder = null;
    this.host.leaving(this, code, byServer);
  }

  private write(binary: boolean, data: Buffer | string, id: string | undefined): void {
    this.host.write(this, this.nextOffset++, binary, data, id);
  }
}

/**
 * One message as the store keeps it from now on. Text stays the immutable string that was sent; a
 * caller's Buffer is copied (the caller may reuse it once its send settled, the store keeps it for the
 * whole window); a prepared broadcast's payload is shared and never written to, so it is kept as is.
 */
function payload(kind: OutKind, data: string | Buffer | readonly Buffer[]): Buffer | string {
  if (typeof data === "string") return data;
  if (kind === OUT.FRAMES) {
    const frames = data as readonly Buffer[];
    return frames.length > 1 ? frames[1]! : unframe(frames[0]!);
  }
  return Buffer.from(data as Buffer);
}

/** The payload of one unmasked frame in one buffer. */
function unframe(frame: Buffer): Buffer {
  const len = frame[1]! & 0x7f;
  const offset = len === 126 ? 4 : len === 127 ? 10 : 2;
  return frame.subarray(offset);
}
