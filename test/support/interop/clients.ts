/** Runs the interop script with each client: ws (the reference), Python websockets, Chromium, Java. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import type { Observations } from "./endpoint.js";
import { UNICODE } from "./endpoint.js";
import { CHROMIUM, PYTHON } from "../system-packages.js";

const HERE = __dirname;

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} failed: ${error.message}\n${stderr}`));
      else resolve(stdout.trim().split("\n").pop() ?? "");
    });
  });
}

/** The reference: the `ws` client, doing everything the others do. */
export async function wsClient(url: string): Promise<Observations> {
  const open = (): Promise<{ ws: WebSocket; next: () => Promise<{ data: Buffer; binary: boolean }> }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const inbox: Array<{ data: Buffer; binary: boolean }> = [];
      const waiting: Array<(m: { data: Buffer; binary: boolean }) => void> = [];
      ws.on("message", (data: Buffer, binary: boolean) => {
        const w = waiting.shift();
        if (w) w({ data, binary });
        else inbox.push({ data, binary });
      });
      const next = (): Promise<{ data: Buffer; binary: boolean }> => {
        const m = inbox.shift();
        return m ? Promise.resolve(m) : new Promise((r) => waiting.push(r));
      };
      ws.once("open", () => resolve({ ws, next }));
      ws.once("error", reject);
    });
  const { ws, next } = await open();
  const text = async (): Promise<string> => (await next()).data.toString();
  ws.send("hello");
  const echoText = await text();
  ws.send(Buffer.from([1, 2, 3, 255]));
  const echoBinaryHex = (await next()).data.toString("hex");
  ws.send(UNICODE);
  const echoUnicode = await text();
  ws.send("frag", { fin: false });
  ws.send("mented", { fin: true });
  const fragmented = await text();
  const pongP = new Promise<Buffer>((r) => ws.once("pong", r));
  ws.ping("p1");
  const pong = (await pongP).toString();
  ws.send("server-fragments");
  const serverFragments = await text();
  ws.send("ping-me");
  const serverPing = await text();
  const closed = new Promise<[number, Buffer]>((r) => ws.once("close", (c: number, why: Buffer) => r([c, why])));
  ws.close(4001, "bye");
  const [closeCode, closeReason] = await closed;
  const second = await open();
  const closed2 = new Promise<[number, Buffer]>((r) => second.ws.once("close", (c: number, why: Buffer) => r([c, why])));
  second.ws.send("close-me");
  const [serverCloseCode, serverCloseReason] = await closed2;
  return {
    echoText,
    echoBinaryHex,
    echoUnicode,
    fragmented,
    pong,
    serverFragments,
    serverPing,
    closeCode,
    closeReason: closeReason.toString(),
    serverCloseCode,
    serverCloseReason: serverCloseReason.toString(),
  };
}

/** Debian's python3-websockets (test/support/system-packages.ts says whether it is installed). */
export async function pythonClient(url: string): Promise<Observations> {
  return JSON.parse(await run(PYTHON, [join(HERE, "client.py"), url], 30_000)) as Observations;
}

/** Compiles Interop.java (once per source version: javac is slow) and runs it. */
export async function javaClient(url: string): Promise<Observations> {
  const source = join(HERE, "Interop.java");
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `wse-interop-java-${hash}`);
  if (!existsSync(join(dir, "Interop.class"))) {
    const building = mkdtempSync(join(tmpdir(), "wse-java-"));
    await run("javac", ["-d", building, source], 120_000);
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  }
  return JSON.parse(await run("java", ["-cp", dir, "Interop", url], 60_000)) as Observations;
}

/** Chromium's own WebSocket (no fragmented sends or pings from page script: those fields stay absent). */
export async function chromiumClient(url: string): Promise<Observations> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    // Run the script from a page of the server's own origin: a cross-origin page (about:blank sends
    // Origin: null) is refused with 403 by the default origin check, which is the point of that check.
    await page.goto(url.replace(/^ws/, "http").replace(/\/[^/]*$/, "/"));
    return (await page.evaluate(`(${BROWSER_SCRIPT})(${JSON.stringify({ url, unicode: UNICODE })})`)) as Observations;
  } finally {
    await browser.close();
  }
}

// Page script as plain JavaScript text: handed to the browser verbatim (a function here would be rewritten
// by the test runner's module transform and reference names that do not exist in the page).
const BROWSER_SCRIPT = String.raw`async ({ url, unicode }) => {
  function connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      const inbox = [];
      const waiting = [];
      ws.onmessage = (e) => {
        const w = waiting.shift();
        if (w) w(e.data);
        else inbox.push(e.data);
      };
      const closed = new Promise((r) => ws.addEventListener("close", (e) => r(e)));
      const next = () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((r) => waiting.push(r)));
      ws.onopen = () => resolve({ ws, next, closed });
      ws.onerror = () => reject(new Error("WebSocket error"));
    });
  }
  const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
  const c = await connect();
  c.ws.send("hello");
  const echoText = await c.next();
  c.ws.send(new Uint8Array([1, 2, 3, 255]));
  const echoBinaryHex = hex(await c.next());
  c.ws.send(unicode);
  const echoUnicode = await c.next();
  c.ws.send("server-fragments");
  const serverFragments = await c.next();
  c.ws.send("ping-me");
  const serverPing = await c.next();
  c.ws.close(4001, "bye");
  const closeEvent = await c.closed;
  const c2 = await connect();
  c2.ws.send("close-me");
  const serverClose = await c2.closed;
  return {
    echoText, echoBinaryHex, echoUnicode, serverFragments, serverPing,
    closeCode: closeEvent.code, closeReason: closeEvent.reason,
    serverCloseCode: serverClose.code, serverCloseReason: serverClose.reason,
  };
}`;
