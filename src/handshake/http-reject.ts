import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Answers a refused upgrade with a complete HTTP/1.1 response and closes the socket. The body is the
 * generic status text plus an optional short, non-sensitive explanation.
 */
export function rejectUpgrade(socket: Duplex, status: number, message?: string, headers: Readonly<Record<string, string>> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${STATUS_CODES[status] ?? "Error"}${message ? `: ${message}` : ""}\n`;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v.replace(/[\r\n]/g, " ")}\r\n`;
  socket.once("finish", () => socket.destroy());
  socket.end(`${head}\r\n${body}`);
}

/** Answers a plain HTTP request (not an upgrade) the same way. */
export function rejectRequest(res: ServerResponse, status: number, message?: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = `${STATUS_CODES[status] ?? "Error"}${message ? `: ${message}` : ""}\n`;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
