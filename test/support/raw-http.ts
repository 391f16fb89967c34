import { connect, type Socket } from "node:net";
import { createHash, randomBytes } from "node:crypto";

/** What a raw client read back: the status line's code, lower-cased headers, the body, everything. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
  /** The socket, still open after a 101 (the caller owns it); destroyed otherwise. */
  readonly socket: Socket;
}

/** A fresh valid Sec-WebSocket-Key. */
export function wsKey(): string {
  return randomBytes(16).toString("base64");
}

/** The Sec-WebSocket-Accept value a server must answer for `key`. */
export function acceptFor(key: string): string {
  return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

/** A valid upgrade request for `path`, with headers overridden (null removes one). */
export function upgradeRequest(path: string, overrides: Record<string, string | null> = {}, method = "GET", version = "HTTP/1.1"): string {
  const headers: Record<string, string | null> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": wsKey(),
    "Sec-WebSocket-Version": "13",
    ...overrides,
  };
  let out = `${method} ${path} ${version}\r\n`;
  for (const [k, v] of Object.entries(headers)) if (v !== null) out += `${k}: ${v}\r\n`;
  return `${out}\r\n`;
}

/**
 * Writes `request` byte for byte on a new loopback connection and reads the answer: resolves when a
 * complete response (head plus Content-Length body) arrived, at a 101 head, or when the server closes.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000, headOnly = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(buf.toString("latin1"))}`)), timeoutMs);
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("data", onData);
      if (error) {
        socket.destroy();
        return reject(error);
      }
      const parsed = parse(buf.toString("latin1"), socket);
      if (parsed.status !== 101) socket.destroy();
      resolve(parsed);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const text = buf.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = parse(text, socket);
      if (head.status === 101 || headOnly) return finish();
      const length = Number(head.headers["content-length"] ?? NaN);
      if (Number.isFinite(length) && buf.length >= end + 4 + length) finish();
    };
    socket.on("data", onData);
    socket.on("error", () => finish());
    socket.on("close", () => finish());
    socket.write(request);
  });
}

function parse(text: string, socket: Socket): RawResponse {
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: end === -1 ? "" : text.slice(end + 4), raw: text, socket };
}

/** A masked client text frame (RFC 6455 §5.2), for raw sockets that speak WebSocket by hand. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  if (payload.length > 125) throw new RangeError("clientTextFrame: keep raw test frames under 126 bytes");
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/**
 * A masked client frame of any size (`opcode` 1 text, 2 binary). The masking key is zero, which RFC 6455
 * allows: the payload goes out as it is, so one frame can be written many times without copying.
 */
export function clientFrame(payload: Buffer, opcode = 1): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, head + 4);
  return frame;
}
