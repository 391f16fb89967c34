import type { IncomingMessage } from "node:http";

/** Why an upgrade request is not a valid WebSocket opening handshake, as the HTTP answer to send. */
export interface InvalidUpgrade {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

// 16 random bytes, base64: 22 significant characters and "==" (RFC 6455 §4.1, item 7).
const KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;
const VERSION_HEADERS = Object.freeze({ "Sec-WebSocket-Version": "13" });

/**
 * Checks the opening handshake per RFC 6455 §4.2.1 before anything else looks at it, so every refusal
 * is a complete HTTP answer: a wrong or missing version is 426 with `Sec-WebSocket-Version: 13`
 * (§4.2.2), anything else malformed is 400 (405 for a method other than GET). A missing or empty
 * `Host` is 400 (§4.2.1, item 2): Node's HTTP parser lets it through for upgrade requests.
 */
export function checkUpgradeRequest(req: IncomingMessage): InvalidUpgrade | undefined {
  if (req.method !== "GET") return { status: 405, message: "a WebSocket upgrade must use GET", headers: { Allow: "GET" } };
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return { status: 400, message: "a WebSocket upgrade needs HTTP/1.1" };
  const host = req.headers.host;
  if (host === undefined || host.trim() === "") return { status: 400, message: "missing Host header" };
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.toLowerCase() !== "websocket") return { status: 400, message: "invalid Upgrade header" };
  if (req.headers["sec-websocket-version"] !== "13") {
    return { status: 426, message: "unsupported WebSocket version; use 13", headers: VERSION_HEADERS };
  }
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key)) return { status: 400, message: "missing or invalid Sec-WebSocket-Key" };
  return undefined;
}
