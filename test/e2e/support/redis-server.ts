import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private redis-server on a free loopback port, for tests that must stop and restart Redis. */
export class RedisProcess {
  private child: ChildProcess | null = null;
  /**
   * Its own working directory: the append-only file with `persist`, and the RDB a replica writes on a
   * full sync (in the test's working directory, servers started side by side would overwrite each
   * other's dump.rdb).
   */
  private readonly dir = mkdtempSync(join(tmpdir(), "wse-redis-"));

  private constructor(
    readonly port: number,
    private readonly persist: boolean,
    private readonly extra: readonly string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * `persist`: an append-only file synced before every reply (`appendfsync always`), so a SIGKILL loses
   * nothing Redis acknowledged. `args`: more redis-server arguments (replication, cluster mode).
   */
  static async start(options: { persist?: boolean; args?: readonly string[]; port?: number } = {}): Promise<RedisProcess> {
    const r = new RedisProcess(options.port ?? (await freePort()), options.persist === true, options.args ?? []);
    await r.restart();
    return r;
  }

  /** Starts (again) on the same port and resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.child !== null) throw new Error("redis-server is already running");
    const storage = this.persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    // A replica's full sync starts at once instead of after the default 5 s wait for more replicas.
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--repl-diskless-sync-delay", "0", ...storage, ...this.extra];
    const child = spawn("redis-server", args, { stdio: "ignore" });
    this.child = child;
    child.once("exit", () => {
      if (this.child === child) this.child = null;
    });
    await answersPing(this.port, 5000);
  }

  /** Kills it for good and removes its files. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL, as a crash would; resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Connects until the server answers PING (a refused connection is retried after the next timer turn). */
export async function answersPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 500; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      let buf = "";
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.on("data", (d) => {
        buf += d.toString();
        if (buf.includes("\r\n")) {
          socket.destroy();
          resolve(buf.startsWith("+PONG"));
        }
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}
