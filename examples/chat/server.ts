import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { container as rootContainer } from "tsyringe";
import { bootstrap, type BootstrapOptions, type ServerHandle } from "ws-endpoints";
import { ChatEndpoint } from "./chat-endpoint.js";
import { Roster } from "./roster.js";

/** The page, found next to this file in the sources or from the compiled copy under dist/. */
function loadPage(): string {
  const candidates = [join(__dirname, "public", "index.html"), join(__dirname, "..", "..", "..", "examples", "chat", "public", "index.html")];
  for (const file of candidates) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      // try the next location
    }
  }
  throw new Error(`chat: index.html not found (looked in ${candidates.join(", ")})`);
}

/** Options of {@link startChat}. */
export interface ChatOptions {
  port?: number;
  host?: string;
  logger?: BootstrapOptions["logger"];
}

/**
 * Starts the chat: the page at `/`, the endpoint at `/chat/{user}`, on one port. Each call gets its own
 * roster (a child container), so several chats can run in one process (tests do).
 */
export async function startChat(options: ChatOptions = {}): Promise<ServerHandle> {
  const page = loadPage();
  const http = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/" || path === "/index.html")) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(page);
    } else if (path?.startsWith("/chat/")) {
      res.writeHead(426, { Upgrade: "websocket", "Content-Type": "text/plain" });
      res.end("Upgrade Required: /chat/{nickname} accepts WebSocket connections only\n");
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Not Found\n");
    }
  });
  const container = rootContainer.createChildContainer();
  container.registerSingleton(Roster);
  const handle = await bootstrap({ server: http, endpoints: [ChatEndpoint], container, logger: options.logger });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 8080, options.host, () => resolve());
  });
  // Everything but close() is bootstrap's own handle (so new handle features reach the demo as they are added);
  // close() also closes the HTTP server this function started. Listening is done, so the address is final.
  return {
    ...handle,
    async close() {
      await handle.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
