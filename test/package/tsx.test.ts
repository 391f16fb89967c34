import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";

// tsx compiles with esbuild, which emits no decorator metadata. These run real tsx against the built
// package (resolved by name through its exports, as in a user's project).
const root = join(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const fixture = (name: string) => join(root, "test", "fixtures", "tsx", name);

function run(file: string) {
  const child = spawn(tsx, ["--tsconfig", fixture("tsconfig.json"), file], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

function listeningPort(p: ReturnType<typeof run>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port: ${p.err()}`)), 30_000);
    void p.exited.then((code) => reject(new Error(`exited ${code}: ${p.err()}`)));
    p.child.stdout.on("data", () => {
      const m = /port=(\d+)/.exec(p.out());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

describe("a project run with tsx", () => {
  it("serves an endpoint whose parameters are marked explicitly", async () => {
    const p = run(fixture("explicit-endpoint.ts"));
    try {
      const port = await listeningPort(p);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/tsx/ada`);
      // Each wait is registered before the message it expects can arrive (same tick as connect / send).
      const next = () => new Promise<string>((resolve) => ws.once("message", (d) => resolve(String(d))));
      expect(await next()).toBe("hello ada");
      ws.send("hi");
      expect(await next()).toBe("ada: hi");
      ws.close(4000);
      await new Promise((r) => ws.once("close", r));
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
      expect(p.out()).toContain("closed 4000");
    } finally {
      p.child.kill("SIGKILL");
    }
  }, 60_000);

  it("refuses type-only parameters at bootstrap, naming the parameter and the fix", async () => {
    const p = run(fixture("implicit-endpoint.ts"));
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain("Implicit.echo parameter #0: its type is not known at run time: the compiler emitted no decorator metadata.");
    expect(p.err()).toContain("@Payload(ChatMessage)");
  }, 60_000);

  it("injects a constructor whose every parameter has @inject(Token), with no design:paramtypes", async () => {
    const p = run(fixture("injected-endpoint.ts"));
    try {
      const port = await listeningPort(p);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/tsx-injected`);
      await new Promise((r) => ws.once("open", r));
      const next = () => new Promise<string>((resolve) => ws.once("message", (d) => resolve(String(d))));
      let reply = next();
      ws.send("ada");
      expect(await reply).toBe("hello ada #1 undefined");
      reply = next();
      ws.send("bob");
      expect(await reply).toBe("hello bob #2 undefined");
      ws.close(1000);
      await new Promise((r) => ws.once("close", r));
    } finally {
      p.child.kill("SIGKILL");
    }
  }, 60_000);
});
