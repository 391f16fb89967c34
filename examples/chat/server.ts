import { createServer } from "node:http";
import { container as rootContainer } from "tsyringe";
import { bootstrap, type BootstrapOptions, type ServerHandle } from "ws-endpoints";
import { chatAssets } from "./assets.js";
import { ChatEndpoint } from "./chat-endpoint.js";
import { Roster } from "./roster.js";

/** Options of {@link startChat}. */
export interface ChatOptions {
  port?: number;
  host?: string;
  logger?: BootstrapOptions["logger"];
}

/**
 * Starts the chat: the page at `/` (and the browser client it imports), the endpoint at `/chat`, on one
 * port. Each call gets its own roster (a child container), so several chats can run in one process (tests do).
 */
export async function startChat(options: ChatOptions = {}): Promise<ServerHandle> {
  const assets = chatAssets();
  const http = createServer((req, res) => {
    if (assets(req, res)) return;
    if ((req.url ?? "/").split("?")[0] === "/chat") {
      res.writeHead(426, { Upgrade: "websocket", "Content-Type": "text/plain" });
      res.end("Upgrade Required: /chat accepts WebSocket connections only\n");
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
