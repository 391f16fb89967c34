// The cost of session recovery: echo throughput and round-trip latency with recovery off, on with the
// memory store, and on with the Redis store (when Redis answers on 127.0.0.1:6379), all servers in one
// child process (one core), the load generator here; rounds interleave the servers and reverse their
// order every other round. Clients of the "on" servers ask for recovery (?wse-recovery=), so every
// reply is numbered and stored.
//
//   npm run build && node bench/recovery.mjs [seconds-per-sample=2] [rounds=4]
//
// Prints msgs/s and median round trip per server with ratios to "off"; writes bench/results/recovery.json.
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
const PINGS = 300;

if (process.argv[2] === "--serve") await serve();
else await measure();

async function serve() {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  require("reflect-metadata");
  const wse = require("../dist/src/index.js");
  const redisEntry = require("../dist/src/redis/index.js");

  // Decorators applied by hand: this file is plain JavaScript.
  function endpoint(options) {
    class E {}
    E.prototype.text = (m) => m;
    Reflect.defineMetadata("design:paramtypes", [String], E.prototype, "text");
    wse.OnMessage()(E.prototype, "text", Object.getOwnPropertyDescriptor(E.prototype, "text"));
    wse.ServerEndpoint(options)(E);
    return E;
  }
  const ports = {};
  const start = async (name, options, extra = {}) => {
    const h = await wse.bootstrap({ endpoints: [endpoint(options)], port: 0, host: "127.0.0.1", logger: wse.silentLogger, ...extra });
    ports[name] = { port: h.address.port, ask: options.recovery !== undefined };
  };
  await start("recovery off", { path: "/echo" });
  await start("recovery on, memory store", { path: "/echo", recovery: { window: "2m" } });
  try {
    const store = new redisEntry.RedisRecoveryStore({ keyPrefix: `bench${process.pid}`, logger: wse.silentLogger });
    await Promise.race([store.ready(), new Promise((_, reject) => setTimeout(() => reject(new Error("no Redis")), 2000))]);
    await start("recovery on, Redis store", { path: "/echo", recovery: { window: "2m" } }, { recoveryStore: store });
  } catch {
    // No Redis on 127.0.0.1:6379: the Redis row is left out.
  }
  process.send(ports);
}

async function measure() {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: "inherit" });
  const servers = await new Promise((r) => child.once("message", r));
  const names = Object.keys(servers);
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  const rtts = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      rates[name].push(await throughput(servers[name]));
      rtts[name].push(await roundTrip(servers[name]));
    }
  }
  child.kill();
  const offRate = median(rates["recovery off"]);
  const offRtt = median(rtts["recovery off"]);
  const results = names.map((n) => ({
    server: n,
    msgsPerSec: Math.round(median(rates[n])),
    throughputRatio: +(median(rates[n]) / offRate).toFixed(3),
    rttMedianUs: Math.round(median(rtts[n]) * 1000),
    latencyRatio: +(median(rtts[n]) / offRtt).toFixed(3),
  }));
  console.table(results);
  mkdirSync(join(HERE, "results"), { recursive: true });
  writeFileSync(join(HERE, "results", "recovery.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, window: WINDOW, results }, null, 2));
}

/** Opens one connection; a recovery server's first message (the control message) is consumed. */
function open(server) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/echo${server.ask ? "?wse-recovery=" : ""}`, { perMessageDeflate: false });
    ws.once("error", reject);
    if (server.ask) ws.once("message", () => resolve(ws));
    else ws.once("open", () => resolve(ws));
  });
}

/** Pipelined echo of 32-byte texts over CONNECTIONS sockets for SECONDS; messages per second. */
async function throughput(server) {
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => open(server)));
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

/** Median round trip (ms) of PINGS sequential echoes on one idle connection. */
async function roundTrip(server) {
  const ws = await open(server);
  const times = [];
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await new Promise((r) => { ws.once("message", r); ws.send("ping"); });
    times.push(performance.now() - t0);
  }
  await new Promise((r) => { ws.once("close", r); ws.close(); });
  return median(times);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
