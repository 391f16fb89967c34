// Echo throughput of the codec paths against raw ws, measured as ARCHITECTURE.md describes: all servers run
// at once pinned to core 0, the load generator on core 1, rounds interleaved and their order reversed
// every other round; a second raw server is the control for the method's own noise.
// Usage: npm run build && node bench/codecs-echo.cjs [mainDist]
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");
const WebSocket = require("ws");

const CONNS = 50;
const IN_FLIGHT = 8;
const ROUND_MS = 2000;
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const here = path.join(__dirname, "..", "dist");
const mainDist = process.argv[2];

function startServer(kind, dist) {
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", "0", process.execPath, path.join(__dirname, "codecs-echo-server.cjs"), kind, dist], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once("error", reject);
  });
}

async function round(port, message) {
  const clients = await Promise.all(
    Array.from({ length: CONNS }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    })),
  );
  let count = 0;
  let running = true;
  for (const ws of clients) {
    ws.on("message", () => {
      count++;
      if (running) ws.send(message);
    });
    for (let i = 0; i < IN_FLIGHT; i++) ws.send(message);
  }
  await new Promise((r) => setTimeout(r, ROUND_MS));
  running = false;
  const total = count;
  for (const ws of clients) ws.terminate();
  return (total / ROUND_MS) * 1000;
}

async function main() {
  const text = "hello from the load generator";
  const chat = JSON.stringify({ type: "chat", text });
  const targets = [
    ["raw ws", "raw", here, text],
    ["raw ws (control)", "raw", here, text],
    ["string handler (this branch)", "string", here, text],
    ["typed DTO handler (this branch)", "dto", here, chat],
  ];
  if (mainDist) targets.push(["string handler (main)", "string", path.resolve(mainDist), text]);
  const servers = [];
  for (const [, kind, dist] of targets) servers.push(await startServer(kind, dist));
  const rates = targets.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = targets.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) rates[i].push(await round(servers[i].port, targets[i][3]));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const raw = median(rates[0]);
  const result = targets.map(([name], i) => ({ name, msgsPerSec: Math.round(median(rates[i])), ratioToRaw: +(median(rates[i]) / raw).toFixed(3) }));
  console.table(result);
  for (const s of servers) s.child.kill();
}
main();
