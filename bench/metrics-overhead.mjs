// Echo throughput of ws-endpoints (metrics counters + latency histogram on) against raw ws, measured
// the way docs/ARCHITECTURE.md describes: both servers run at the same time, pinned to one core when
// taskset exists, rounds interleaved with alternating order. Run after `npm run build`:
//   node bench/metrics-overhead.mjs [rounds=6] [seconds=2]
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const here = fileURLToPath(new URL(".", import.meta.url));
const rounds = Number(process.argv[2] ?? 6);
const seconds = Number(process.argv[3] ?? 2);
const CONNS = 50;
const PIPELINE = 8;

function hasTaskset() {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function startServer(kind) {
  const args = [`${here}echo-servers.cjs`, kind];
  const child = hasTaskset() ? spawn("taskset", ["-c", "0", process.execPath, ...args]) : spawn(process.execPath, args);
  return new Promise((resolve) => child.stdout.once("data", (d) => resolve({ child, port: Number(String(d).trim()) })));
}

async function load(port) {
  const sockets = await Promise.all(
    Array.from({ length: CONNS }, () => new Promise((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
      ws.once("open", () => res(ws));
    })),
  );
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on("message", () => {
      count++;
      if (running) ws.send("hello world, a small message");
    });
    for (let i = 0; i < PIPELINE; i++) ws.send("hello world, a small message");
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  for (const ws of sockets) ws.terminate();
  return count / seconds;
}

const framework = await startServer("framework");
const raw = await startServer("raw");
const results = { framework: [], raw: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ["framework", "raw"] : ["raw", "framework"];
  for (const k of order) results[k].push(await load(k === "framework" ? framework.port : raw.port));
}
framework.child.kill();
raw.child.kill();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const f = median(results.framework);
const w = median(results.raw);
console.log(JSON.stringify({ frameworkMsgsPerSec: Math.round(f), rawMsgsPerSec: Math.round(w), ratio: Number((f / w).toFixed(3)) }));
