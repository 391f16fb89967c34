// Echo throughput with the handler timeout on and off, against raw ws, measured as ARCHITECTURE.md says:
// every server runs at the same time in one child process (one core), the load generator here (the
// other core); rounds interleave the servers and reverse their order every other round.
//
//   npm run build && node bench/handler-timeout.mjs [seconds-per-sample=2] [rounds=4]
//
// Prints msgs/s per server and the ratio to raw ws; writes bench/results/handler-timeout.json.
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 4);
const CONNECTIONS = 50;
const WINDOW = 16;

if (process.argv[2] === "--serve") await serve();
else await measure();

async function serve() {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  require("reflect-metadata");
  const wse = require("../dist/src/index.js");
  const { WebSocketServer } = require("ws");

  // Decorators applied by hand: this file is plain JavaScript.
  function endpoint(path, handler) {
    class E {}
    E.prototype.text = handler;
    Reflect.defineMetadata("design:paramtypes", [String], E.prototype, "text");
    wse.OnMessage()(E.prototype, "text", Object.getOwnPropertyDescriptor(E.prototype, "text"));
    wse.ServerEndpoint(path)(E);
    return E;
  }
  const Sync = endpoint("/echo", function (m) { return m; });
  const Async = endpoint("/echo", async function (m) { return m; });
  const ports = {};
  const raw = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  raw.on("connection", (ws) => ws.on("message", (d, isBinary) => ws.send(d, { binary: isBinary })));
  await new Promise((r) => raw.once("listening", r));
  ports["raw ws"] = raw.address().port;
  const start = async (name, E, handlerTimeout) => {
    const h = await wse.bootstrap({ endpoints: [E], port: 0, host: "127.0.0.1", logger: wse.silentLogger, handlerTimeout });
    ports[name] = h.address.port;
  };
  await start("sync handler, timeout on", Sync, 30_000);
  await start("async handler, timeout on", Async, 30_000);
  await start("async handler, timeout off", Async, 0);
  process.send(ports);
}

async function measure() {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: "inherit" });
  const ports = await new Promise((r) => child.once("message", r));
  const names = Object.keys(ports);
  const totals = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) totals[name].push(await sample(ports[name]));
  }
  child.kill();
  const rawRate = median(totals["raw ws"]);
  const results = names.map((n) => ({ server: n, msgsPerSec: Math.round(median(totals[n])), ratioToRaw: +(median(totals[n]) / rawRate).toFixed(3) }));
  console.table(results);
  mkdirSync(join(HERE, "results"), { recursive: true });
  writeFileSync(join(HERE, "results", "handler-timeout.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, window: WINDOW, results }, null, 2));
}

/** Pipelined echo of small texts over CONNECTIONS sockets for SECONDS; returns messages per second. */
async function sample(port) {
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    })),
  );
  let count = 0;
  let running = true;
  const payload = "x".repeat(32);
  for (const ws of sockets) {
    ws.on("message", () => {
      count++;
      if (running) ws.send(payload);
    });
    for (let i = 0; i < WINDOW; i++) ws.send(payload);
  }
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  const from = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = ((count - from) * 1000) / (performance.now() - t0);
  running = false;
  await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once("close", r); ws.close(); })));
  return rate;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
