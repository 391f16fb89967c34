import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";

/** Where the page loads the browser client from (an ES module, as `npm run build` writes it). */
export const CLIENT_PATH = "/ws-endpoints/browser.js";

/** `relative` below the repository root: the sources (examples/chat) and the build (dist/examples/chat) both sit under it. */
function find(relative: string): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, relative);
    if (existsSync(file)) return file;
  }
  throw new Error(`chat: ${relative} not found above ${__dirname}${relative.startsWith("dist") ? " (run npm run build)" : ""}`);
}

/**
 * The chat's two static files, read once: the page and ws-endpoints/browser's ES module (dist/browser),
 * served as they are, so the demo has no build step of its own. `title` names the page (cluster nodes).
 */
export function chatAssets(title?: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  let page = readFileSync(find(join("examples", "chat", "public", "index.html")), "utf8");
  if (title !== undefined) page = page.replace(/<title>([^<]*)<\/title>/, `<title>$1 · ${title}</title>`);
  const client = readFileSync(find(join("dist", "browser", "index.js")), "utf8");
  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") return false;
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(page);
    } else if (path === CLIENT_PATH) {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(client);
    } else return false;
    return true;
  };
}
