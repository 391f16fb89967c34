import type WebSocket from "ws";
import { ClientWebSocket } from "../transport/client-websocket.js";
import { ConnectError, HandshakeRefusedError } from "../errors.js";
import { readRefusedBody, REFUSED_BODY_LIMIT } from "./refused-body.js";

/** How one opening handshake ended. */
export interface SocketHandlers {
  /** The socket is open. Called synchronously from ws's `open` event, so listeners attached here miss no message. */
  open(ws: WebSocket): void;
  /** The handshake failed: `HandshakeRefusedError` (HTTP status) or `ConnectError`. */
  failed(error: ConnectError | HandshakeRefusedError): void;
}

/** What the handshake sends. */
export interface SocketRequest {
  readonly url: string;
  readonly subprotocols: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly handshakeTimeout: number;
  readonly maxPayload: number;
}

function noop(): void {}

/** ws's handshake errors, reworded to name the option that fixes them. */
function explain(error: Error, request: SocketRequest): string {
  if (/handshake has timed out/i.test(error.message)) {
    return `the opening handshake did not complete within ${request.handshakeTimeout} ms (handshakeTimeout)`;
  }
  if (/server sent no subprotocol/i.test(error.message)) {
    return `the server accepted none of the offered subprotocols (${request.subprotocols.join(", ")}); offer one it supports, or pass subprotocols: [] to offer none`;
  }
  return error.message;
}

/**
 * Starts one opening handshake with `ws`; exactly one handler is called. Returns the socket (to abort
 * it), or `null` when ws refused the request outright (the failure handler still follows).
 */
export function openSocket(request: SocketRequest, handlers: SocketHandlers): WebSocket | null {
  const { url } = request;
  let settled = false;
  const fail = (error: ConnectError | HandshakeRefusedError): void => {
    if (settled) return;
    settled = true;
    handlers.failed(error);
  };
  let ws: WebSocket;
  try {
    ws = new ClientWebSocket(url, [...request.subprotocols], {
      headers: { ...request.headers },
      handshakeTimeout: request.handshakeTimeout,
      maxPayload: request.maxPayload,
      perMessageDeflate: false,
      followRedirects: false,
    });
  } catch (error) {
    // ws validates the URL and the subprotocols synchronously.
    const failed = new ConnectError(url, (error as Error).message, error);
    process.nextTick(fail, failed);
    return null;
  }
  // Set while a refusal's body is read: its outcome is the refusal, whatever the socket reports meanwhile.
  let refused = false;
  const onError = (error: Error): void => {
    if (!refused) fail(new ConnectError(url, explain(error, request), error));
  };
  ws.on("error", onError);
  ws.once("unexpected-response", (req, res) => {
    refused = true;
    void readRefusedBody(res, REFUSED_BODY_LIMIT, request.handshakeTimeout).then((body) => {
      fail(new HandshakeRefusedError(url, res.statusCode ?? 0, res.statusMessage ?? "", res.headers, body));
      req.destroy();
      // Aborting emits 'error' and 'close' on the socket; both are ignored once settled.
      ws.terminate();
    });
  });
  ws.once("close", () => {
    if (!refused) fail(new ConnectError(url, "the connection closed during the opening handshake"));
  });
  ws.once("open", () => {
    if (settled) return ws.terminate();
    settled = true;
    ws.off("error", onError);
    // The transport binds its own 'error' listener in `open`; this one covers the moment in between.
    ws.on("error", noop);
    handlers.open(ws);
    ws.off("error", noop);
  });
  return ws;
}
