// Cross-node broadcasts through Redis: "at-least-once" (a Redis stream) against "pub-sub" (a channel),
// same run, same private redis-server. Node A broadcasts to room "r"; one ws client on node B receives.
// Both delivery modes have their own pair of nodes (own key prefix) and are measured in interleaved
// rounds, order reversed every other round; medians and the ratio at-least-once / pub-sub.
//
//   npm run build && node bench/redis-delivery.mjs [rounds=4] [messages=20000]
//
// Throughput: `messages` broadcasts of 128 bytes, at most 64 unanswered, timed until the last arrives
// at the client on node B. Latency: 2,000 broadcasts paced one a millisecond, publish call → client
// (one process, one clock). Needs redis-server. Writes bench/results/redis-delivery.json.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
require("reflect-metadata");
const wse = require("../dist/src/index.js");
const { RedisBroker } = require("../dist/src/redis/index.js");

const ROUNDS = Number(process.argv[2] ?? 4);
const MESSAGES = Number(process.argv[3] ?? 20_000);
const WINDOW = 64;
const LATENCY_MESSAGES = 2000;
const MODES = ["pub-sub", "at-least-once"];

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const free = s.address().port;
    s.close(() => resolve(free));
  });
});
const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
await waitForRedis(port);

// Decorators applied by hand: this file is plain JavaScript.
class Receiver {}
Receiver.prototype.open = function (session) {
  session.join("r");
  session.getAsyncRemote().sendText("ready");
};
Reflect.defineMetadata("design:paramtypes", [wse.Session], Receiver.prototype, "open");
wse.OnOpen()(Receiver.prototype, "open", Object.getOwnPropertyDescriptor(Receiver.prototype, "open"));
wse.ServerEndpoint("/r")(Receiver);

const pairs = {};
for (const mode of MODES) {
  const broker = () => new RedisBroker({ redis: `redis://127.0.0.1:${port}`, keyPrefix: `bench-${mode}`, delivery: mode, logger: wse.silentLogger });
  const start = (nodeId) => wse.bootstrap({ endpoints: [Receiver], port: 0, host: "127.0.0.1", broker: broker(), logger: wse.silentLogger, nodeId });
  const a = await start(`${mode}-a`);
  const b = await start(`${mode}-b`);
  const client = new WebSocket(`ws://127.0.0.1:${b.address.port}/r`);
  await new Promise((resolve) => client.once("message", resolve));
  pairs[mode] = { a, b, client };
}

const samples = Object.fromEntries(MODES.map((m) => [m, { throughput: [], p50: [], p99: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? MODES : [...MODES].reverse();
  for (const mode of order) {
    const pair = pairs[mode];
    samples[mode].throughput.push(await throughput(pair));
    const { p50, p99 } = await latency(pair);
    samples[mode].p50.push(p50);
    samples[mode].p99.push(p99);
  }
}

const results = MODES.map((mode) => ({
  mode,
  msgsPerSec: Math.round(median(samples[mode].throughput)),
  p50Ms: +median(samples[mode].p50).toFixed(3),
  p99Ms: +median(samples[mode].p99).toFixed(3),
}));
const [plain, alo] = results;
const ratios = {
  throughput: +(alo.msgsPerSec / plain.msgsPerSec).toFixed(3),
  p50: +(alo.p50Ms / plain.p50Ms).toFixed(3),
  p99: +(alo.p99Ms / plain.p99Ms).toFixed(3),
};
console.table(results);
console.log("at-least-once / pub-sub:", ratios);

// What the stream costs Redis: its memory over its entries (128-byte text payloads, two-node envelope).
const { Redis } = require("ioredis");
const probe = new Redis({ port });
const streamKey = "{bench-at-least-once}:stream";
const entries = await probe.xlen(streamKey);
const streamBytes = Number(await probe.call("MEMORY", "USAGE", streamKey, "SAMPLES", "0"));
probe.disconnect();
const redisMemory = { entries, streamBytes, bytesPerEntry: Math.round(streamBytes / entries) };
console.log("stream memory:", redisMemory);

for (const { a, b, client } of Object.values(pairs)) {
  client.terminate();
  await a.close();
  await b.close();
}
redis.kill("SIGKILL");
mkdirSync(join(HERE, "results"), { recursive: true });
writeFileSync(
  join(HERE, "results", "redis-delivery.json"),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg: (await import("node:os")).loadavg(), rounds: ROUNDS, messages: MESSAGES, window: WINDOW, results, ratios, redisMemory, samples }, null, 2),
);

/** Broadcasts as fast as the window allows; resolves with messages per second arriving on node B. */
async function throughput({ a, client }) {
  const payload = "x".repeat(128);
  let received = 0;
  const done = new Promise((resolve) => {
    const onMessage = () => {
      if (++received === MESSAGES) {
        client.off("message", onMessage);
        resolve();
      }
    };
    client.on("message", onMessage);
  });
  const started = process.hrtime.bigint();
  let sent = 0;
  let inFlight = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (inFlight < WINDOW && sent < MESSAGES) {
        sent++;
        inFlight++;
        a.broadcaster.broadcast(payload, { room: "r" }).then((r) => {
          if (!r.published) throw new Error(`not published: ${r.error?.message}`);
          inFlight--;
          if (sent < MESSAGES) pump();
          else if (inFlight === 0) resolve();
        });
      }
    };
    pump();
  });
  await done;
  return MESSAGES / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Paced broadcasts; resolves with the median and 99th percentile of publish → client, in ms. */
async function latency({ a, client }) {
  const delays = [];
  const done = new Promise((resolve) => {
    const onMessage = (data) => {
      delays.push(Number(process.hrtime.bigint() - BigInt(String(data))) / 1e6);
      if (delays.length === LATENCY_MESSAGES) {
        client.off("message", onMessage);
        resolve();
      }
    };
    client.on("message", onMessage);
  });
  for (let i = 0; i < LATENCY_MESSAGES; i++) {
    await a.broadcaster.broadcast(String(process.hrtime.bigint()), { room: "r" });
    await new Promise((r) => setTimeout(r, 1));
  }
  await done;
  delays.sort((x, y) => x - y);
  return { p50: delays[Math.floor(delays.length * 0.5)], p99: delays[Math.floor(delays.length * 0.99)] };
}

function median(values) {
  const s = [...values].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function waitForRedis(p) {
  const { Redis } = require("ioredis");
  for (let i = 0; i < 100; i++) {
    const r = new Redis({ port: p, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on("error", () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  throw new Error("redis-server did not start");
}
