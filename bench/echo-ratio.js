#!/usr/bin/env node
/**
 * Echo throughput of a ws-endpoints server against raw `ws`, measured in the same run.
 *
 *   npm run build && node bench/echo-ratio.js [--rounds 6] [--seconds 2] [--conns 50] [--window 16] [--main <dist>]
 *
 * With `--main <dist>` a second ws-endpoints build (e.g. main's `dist`) is served too, as "main".
 *
 * Method (docs: ARCHITECTURE.md "Measuring"): the three servers (raw ws, ws-endpoints with default
 * options, and a second raw ws as a control for the method's own noise) run at the same time in one
 * child process pinned to CPU 0; this process is the load generator, pinned to CPU 1. Each round loads
 * one server at a time with `conns` connections each keeping `window` small text messages in flight,
 * counts echoes for `seconds`, and the order of servers is reversed every other round. Ratios are
 * medians of per-round ratios against raw ws. Writes bench/results/echo-ratio.json.
 */
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const { writeFileSync, mkdirSync } = require("node:fs");
const path = require("node:path");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function pin(pid, cpu) {
  try {
    execFileSync("taskset", ["-cp", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function serve() {
  require("reflect-metadata");
  const { WebSocketServer } = require("ws");
  const rawEcho = (port) =>
    new Promise((resolve) => {
      const wss = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: false }, () => resolve(wss.address().port));
      wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    });
  const framework = async (dist) => {
    const lib = require(path.join(dist, "src", "index.js"));
    class Echo {
      echo(text) {
        return text;
      }
    }
    lib.ServerEndpoint("/echo")(Echo);
    lib.OnMessage()(Echo.prototype, "echo", Object.getOwnPropertyDescriptor(Echo.prototype, "echo"));
    lib.Payload(String)(Echo.prototype, "echo", 0);
    // Default options: heartbeat, limits, bounded outbound queue all on.
    const app = await lib.bootstrap({ endpoints: [Echo], port: 0, host: "127.0.0.1", logger: lib.silentLogger });
    return app.address.port;
  };
  const ports = { raw: await rawEcho(0), framework: await framework(path.join(__dirname, "..", "dist")), control: await rawEcho(0) };
  const mainDist = process.argv[process.argv.indexOf("--serve") + 1];
  if (mainDist && mainDist !== "-") ports.main = await framework(path.resolve(mainDist));
  process.send(ports);
}

async function load(url, seconds, conns, window) {
  const WebSocket = require("ws");
  const payload = "hello, echo benchmark";
  let count = 0;
  let running = true;
  const sockets = await Promise.all(
    Array.from({ length: conns }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    })),
  );
  for (const ws of sockets) {
    ws.on("message", () => {
      count++;
      if (running) ws.send(payload);
    });
  }
  const start = count;
  for (const ws of sockets) for (let i = 0; i < window; i++) ws.send(payload);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const total = count - start;
  await Promise.all(sockets.map((ws) => new Promise((r) => { ws.once("close", r); ws.terminate(); })));
  return total / seconds;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const rounds = arg("rounds", 6);
  const seconds = arg("seconds", 2);
  const conns = arg("conns", 50);
  const window = arg("window", 16);
  const mi = process.argv.indexOf("--main");
  const mainDist = mi === -1 ? "-" : process.argv[mi + 1];
  const child = spawn(process.execPath, [__filename, "--serve", mainDist], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pinned = pin(child.pid, 0) && pin(process.pid, 1);
  const ports = await new Promise((resolve) => child.once("message", resolve));
  const names = Object.keys(ports);
  const perRound = [];
  await load(`ws://127.0.0.1:${ports.raw}`, 1, conns, window); // warm-up
  await load(`ws://127.0.0.1:${ports.framework}/echo`, 1, conns, window);
  if (ports.main !== undefined) await load(`ws://127.0.0.1:${ports.main}/echo`, 1, conns, window);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    const rate = {};
    for (const name of order) {
      const url = `ws://127.0.0.1:${ports[name]}${name === "framework" || name === "main" ? "/echo" : ""}`;
      rate[name] = await load(url, seconds, conns, window);
    }
    perRound.push(rate);
    console.log(`round ${r + 1}: ${names.map((n) => `${n} ${rate[n].toFixed(0)}/s`).join(" ")}`);
  }
  child.kill();
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    pinned,
    loadavg: require("node:os").loadavg(),
    rounds, seconds, conns, window,
    frameworkOverRaw: median(perRound.map((x) => x.framework / x.raw)),
    controlOverRaw: median(perRound.map((x) => x.control / x.raw)),
    mainOverRaw: ports.main === undefined ? null : median(perRound.map((x) => x.main / x.raw)),
    perRound,
  };
  mkdirSync(path.join(__dirname, "results"), { recursive: true });
  writeFileSync(path.join(__dirname, "results", "echo-ratio.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`framework/raw ${result.frameworkOverRaw.toFixed(3)}${result.mainOverRaw === null ? "" : ` main/raw ${result.mainOverRaw.toFixed(3)}`} (control/raw ${result.controlOverRaw.toFixed(3)}; pinned: ${pinned})`);
}

if (process.argv.includes("--serve")) void serve();
else void main();
