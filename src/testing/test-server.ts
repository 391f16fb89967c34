import WebSocket, { type ClientOptions, type RawData } from "ws";
import type { EndpointClass } from "../../decorators/metadata.js";
import { bootstrap, type ServerHandle } from "../server/bootstrap.js";
import type { BootstrapOptions } from "../server/options.js";
import { silentLogger } from "../metrics/logger.js";

/** A message as a test client received it. */
export type ReceivedMessage = { readonly type: "text"; readonly data: string } | { readonly type: "binary"; readonly data: Buffer };

/** How a test client's connection ended. */
export interface ClientClose {
  /** Close code the client received (1006 when the connection dropped). */
  readonly code: number;
  /** Close reason text. */
  readonly reason: string;
}

const DEFAULT_WAIT_MS = 5000;

/** A small `ws` client whose messages can be awaited one at a time. */
export class TestClient {
  /** The underlying `ws` client. */
  readonly ws: WebSocket;
  /** Resolves when the connection closes. */
  readonly closed: Promise<ClientClose>;
  private readonly inbox: ReceivedMessage[] = [];
  private waiters: Array<(m: ReceivedMessage | null) => void> = [];
  private ended = false;

  /** Wraps a `ws` client socket (open or still connecting): what the server sends is buffered from now on. */
  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const msg: ReceivedMessage = isBinary ? { type: "binary", data: toBuffer(data) } : { type: "text", data: toBuffer(data).toString("utf8") };
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.inbox.push(msg);
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code: number, reason: Buffer) => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve({ code, reason: reason.toString("utf8") });
      });
    });
    ws.on("error", () => {});
  }

  /** The next message (already received or still to come). Rejects after `timeoutMs` or on close. */
  next(timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(new Error("The connection is closed; no further message will arrive."));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`No message within ${timeoutMs} ms.`));
      }, timeoutMs);
      const waiter = (m: ReceivedMessage | null): void => {
        clearTimeout(timer);
        if (m) resolve(m);
        else reject(new Error("The connection closed before a message arrived."));
      };
      this.waiters.push(waiter);
    });
  }

  /** The next message, which must be text. */
  async nextText(timeoutMs?: number): Promise<string> {
    const m = await this.next(timeoutMs);
    if (m.type !== "text") throw new Error(`Expected a text message, got binary (${m.data.length} bytes).`);
    return m.data;
  }

  /** The next text message parsed as JSON. */
  async nextJson<T = unknown>(timeoutMs?: number): Promise<T> {
    return JSON.parse(await this.nextText(timeoutMs)) as T;
  }

  /** Messages received but not yet taken with `next()`. */
  get pending(): readonly ReceivedMessage[] {
    return this.inbox;
  }

  /** Sends text (string), binary (Buffer) or JSON (anything else). */
  send(data: unknown): Promise<void> {
    const payload = typeof data === "string" || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    return new Promise((resolve, reject) => this.ws.send(payload, (err) => (err ? reject(err) : resolve())));
  }

  /** Closes with a close frame and waits for the server's answer. */
  close(code = 1000, reason = ""): Promise<ClientClose> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection without a close frame. */
  drop(): Promise<ClientClose> {
    this.ws.terminate();
    return this.closed;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Serves endpoints on a free loopback port for tests, with a client that can await messages.
 *
 * @example
 * ```ts
 * const server = await TestServer.start([EchoEndpoint]);
 * const client = await server.connect("/echo");
 * await client.send("hi");
 * expect(await client.nextText()).toBe("hi");
 * await server.close();
 * ```
 */
export class TestServer {
  private readonly clients = new Set<TestClient>();

  private constructor(
    /** The running server, e.g. for `handle.metrics()` or `handle.sessions`. */
    readonly handle: ServerHandle,
  ) {}

  /** Starts the endpoints on 127.0.0.1 and a free port; options as in bootstrap (logger silent by default). */
  static async start(endpoints: readonly EndpointClass[], options: Omit<BootstrapOptions, "endpoints" | "port" | "host" | "server"> = {}): Promise<TestServer> {
    const handle = await bootstrap({ logger: silentLogger, ...options, endpoints, port: 0, host: "127.0.0.1" });
    return new TestServer(handle);
  }

  /** `ws://127.0.0.1:<port>`. */
  get url(): string {
    return `ws://127.0.0.1:${this.handle.address.port}`;
  }

  /** Connects a client to `path` (with query) and waits for the handshake; rejects with the HTTP status on refusal. */
  connect(path: string, options: ClientOptions & { protocols?: string | string[] } = {}): Promise<TestClient> {
    const { protocols, ...rest } = options;
    const ws = new WebSocket(this.url + path, protocols, rest);
    const client = new TestClient(ws);
    this.clients.add(client);
    void client.closed.then(() => this.clients.delete(client));
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        reject(Object.assign(new Error(`Upgrade refused with HTTP ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  /** Closes clients still open, then the server (gracefully). */
  async close(): Promise<void> {
    await this.handle.close();
    await Promise.all([...this.clients].map((c) => c.drop()));
  }
}
