import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cli, type CliIo } from "../../src/cli/cli.js";
import { CliProcess, ROOT } from "../support/cli-process.js";

const ECHO = "dist/test/fixtures/cli/echo-endpoint.js";
const STUCK = "dist/test/fixtures/cli/stuck-close-endpoint.js";

function fakeIo(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: { write: (t: string) => (io.out += t) },
    stderr: { write: (t: string) => (io.err += t) },
    cwd: ROOT,
    env,
    onSignal: () => {},
    exit: () => {},
  };
  return io;
}

function connect(url: string): Promise<{ ws: WebSocket; messages: string[]; next(): Promise<string>; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const messages: string[] = [];
  let wake: (() => void) | undefined;
  ws.on("message", (d) => {
    messages.push(d.toString());
    wake?.();
  });
  const closed = new Promise<number>((res) => ws.once("close", (code) => res(code)));
  const next = async (): Promise<string> => {
    while (messages.length === 0) await new Promise<void>((res) => (wake = res));
    return messages.shift()!;
  };
  return new Promise((res, rej) => {
    ws.once("open", () => res({ ws, messages, next, closed }));
    ws.once("error", rej);
  });
}

const procs: CliProcess[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.kill();
});
function spawnCli(args: string[], env?: NodeJS.ProcessEnv): CliProcess {
  const p = new CliProcess(args, { env });
  procs.push(p);
  return p;
}

describe("ws-endpoints CLI: usage", () => {
  it.each([
    [["--help"], /Usage: ws-endpoints <command>/],
    [["help"], /Commands:\n  run <module\.\.\.>/],
    [["run", "--help"], /Usage: ws-endpoints run <module\.\.\.> \[--port <n>\] \[--host <address>\][\s\S]*Examples:/],
    [["help", "run"], /Usage: ws-endpoints run/],
  ])("%j prints help with examples and exits 0", async (argv, pattern) => {
    const io = fakeIo();
    expect(await cli(argv, io)).toBe(0);
    expect(io.out).toMatch(pattern);
    expect(io.out).toMatch(/Examples:\n  ws-endpoints /);
  });

  it("with no arguments prints the help and exits 2", async () => {
    const io = fakeIo();
    expect(await cli([], io)).toBe(2);
    expect(io.out).toContain("Usage: ws-endpoints <command>");
  });

  it("--version prints the package version", async () => {
    const io = fakeIo();
    expect(await cli(["--version"], io)).toBe(0);
    expect(io.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("an unknown flag names the flag and where the options are, exit 2", async () => {
    const io = fakeIo();
    expect(await cli(["run", ECHO, "--prot", "80"], io)).toBe(2);
    expect(io.err).toBe("ws-endpoints: unknown option --prot. Run `ws-endpoints run --help` for the options.\n");
  });

  it("an unknown command lists the commands, exit 2", async () => {
    const io = fakeIo();
    expect(await cli(["serve", ECHO], io)).toBe(2);
    expect(io.err).toContain('unknown command "serve" (commands: run');
  });

  it.each([["--port", "http"], ["--port", "70000"], ["-p", "-1"]])("%s %s is rejected with the valid range, exit 2", async (flag, value) => {
    const io = fakeIo();
    expect(await cli(["run", ECHO, `${flag}=${value}`], io)).toBe(2);
    expect(io.err).toContain("--port must be an integer from 0 to 65535");
  });

  it("a bad PORT variable is named as such", async () => {
    const io = fakeIo({ PORT: "eighty" });
    expect(await cli(["run", ECHO], io)).toBe(2);
    expect(io.err).toContain('the PORT environment variable must be an integer from 0 to 65535; got "eighty"');
  });

  it("a missing module is named, with a hint for .ts files", async () => {
    const io = fakeIo();
    expect(await cli(["run", "src/nope.ts"], io)).toBe(2);
    expect(io.err).toMatch(/module src\/nope\.ts not found .* Pass the compiled \.js file: run tsc first\./);
  });

  it("run without modules asks for one", async () => {
    const io = fakeIo();
    expect(await cli(["run"], io)).toBe(2);
    expect(io.err).toContain("name at least one module to load");
  });

  it("a module declaring no endpoint says so", async () => {
    const io = fakeIo();
    expect(await cli(["run", "dist/test/fixtures/cli/no-endpoints.js"], io)).toBe(2);
    expect(io.err).toContain("no @ServerEndpoint classes found in dist/test/fixtures/cli/no-endpoints.js");
  });
});

describe("ws-endpoints run (spawned)", () => {
  it("serves the module's endpoints, and SIGTERM closes clients with 1001, runs @OnClose and exits 0", async () => {
    const p = spawnCli(["run", ECHO, "--port", "0", "--host", "127.0.0.1"]);
    const [, url] = await p.waitFor("stdout", /listening on (ws:\/\/127\.0\.0\.1:\d+)/);
    expect(p.stdout).toContain("/echo/{room}  CliEchoEndpoint");
    const c = await connect(`${url}/echo/lobby`);
    expect(await c.next()).toBe("joined lobby");
    c.ws.send("hi");
    expect(await c.next()).toBe("lobby:hi");

    p.child.kill("SIGTERM");
    expect(await c.closed).toBe(1001);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout).toContain("onclose 1001");
    expect(p.stderr).toContain("SIGTERM received; closing 1 session(s)");
  });

  it("SIGINT shuts down the same way", async () => {
    const p = spawnCli(["run", ECHO, "-p", "0", "-H", "127.0.0.1"]);
    const [, url] = await p.waitFor("stdout", /listening on (ws:\/\/127\.0\.0\.1:\d+)/);
    const c = await connect(`${url}/echo/a`);
    expect(await c.next()).toBe("joined a");
    p.child.kill("SIGINT");
    expect(await c.closed).toBe(1001);
    expect((await p.exited).code).toBe(0);
  });

  it("a second signal exits at once (code 1) while @OnClose is still pending", async () => {
    const p = spawnCli(["run", STUCK, "--port", "0", "--host", "127.0.0.1"]);
    const [, url] = await p.waitFor("stdout", /listening on (ws:\/\/127\.0\.0\.1:\d+)/);
    const c = await connect(`${url}/stuck`);
    expect(await c.next()).toBe("ready");
    p.child.kill("SIGTERM");
    await p.waitFor("stderr", /SIGTERM received/);
    p.child.kill("SIGTERM");
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.stderr).toContain("SIGTERM again; exiting without waiting");
  });

  it("the PORT variable chooses the port when --port is absent", async () => {
    const p = spawnCli(["run", ECHO, "--host", "127.0.0.1"], { PORT: "0" });
    await p.waitFor("stdout", /listening on ws:\/\/127\.0\.0\.1:\d+/);
    p.child.kill("SIGTERM");
    expect((await p.exited).code).toBe(0);
  });

  it("an unknown flag exits 2 from the real executable", async () => {
    const p = spawnCli(["run", ECHO, "--verbose"]);
    expect((await p.exited).code).toBe(2);
    expect(p.stderr).toContain("unknown option --verbose");
  });

  it("a port in use is a one-line error and exit 1", async () => {
    const first = spawnCli(["run", ECHO, "--port", "0", "--host", "127.0.0.1"]);
    const [, port] = await first.waitFor("stdout", /listening on ws:\/\/127\.0\.0\.1:(\d+)/);
    const second = spawnCli(["run", ECHO, "--port", port!, "--host", "127.0.0.1"]);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain(`port ${port} is already in use`);
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);
  });
});
