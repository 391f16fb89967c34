import type { BootstrapOptions } from "ws-endpoints";

export const hardened: BootstrapOptions = {
  // Browser pages allowed to open sockets besides this server's own origin (CSWSH protection).
  allowedOrigins: ["https://app.example.com", "https://*.example.com"],
  maxMessageSize: 64 * 1024, // close 1009 above this
  maxConnections: 20_000, // 503 above this
  maxConnectionsPerIp: 50, // 429 above this, per client address (behind a proxy, set trustProxy)
  handshakeTimeout: 5_000, // slow headers → 408, slow auth → 503
  rateLimit: { messagesPerSecond: 20, burst: 40, policy: "close" }, // 1008 when exceeded
};
