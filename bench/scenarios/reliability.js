'use strict';
// R1 what reliability costs (issue 21): echo throughput and round trip with session recovery off / on
// (memory store) / on (Redis store), and cross-node broadcast throughput and latency in "at-least-once"
// against "pub-sub" delivery. Every figure is a ratio to the plain mode measured in the same round.
// One server process (bench/servers/reliability.js, core 0) and a private redis-server; the echo load
// runs here, in the runner. Without redis-server the Redis rows are left out.

const { spawn, execFileSync } = require('child_process');
const net = require('net');
const path = require('path');
const WebSocket = require('ws');
const { spawnPinned, live } = require('../lib/proc');
const { MALLOC_ENV, GC_ARGS } = require('../lib/servers');

const ECHO_CONNECTIONS = 50;
const ECHO_WINDOW = 16;

const ratio = (key, label, better, unit = 'x') => ({ key, label, unit, better, ratio: false });

const R1 = {
  id: 'R1',
  title:
    'what reliability costs: echo with session recovery (memory and Redis store) and cross-node broadcast ' +
    'in "at-least-once" delivery, each against its plain mode in the same round',
  target: 'measured, no target (docs/reliability.md)',
  servers: ['wse-reliability'],
  selfStarting: true,
  params: {
    quick: { echoMs: 300, pings: 100, messages: 3000, latencyMessages: 300 },
    full: { echoMs: 2000, pings: 500, messages: 20000, latencyMessages: 2000 },
  },
  metrics: [
    { key: 'plainRate', label: 'echo, recovery off: messages/s', unit: 'msg/s', better: 'higher', ratio: false },
    ratio('memoryRate', 'echo, recovery on (memory store): throughput ÷ off', 'higher'),
    ratio('redisRate', 'echo, recovery on (Redis store): throughput ÷ off', 'higher'),
    { key: 'plainCpu', label: 'echo, recovery off: server CPU per message', unit: 'µs', better: 'lower', ratio: false },
    ratio('memoryCpu', 'echo, recovery on (memory store): server CPU per message ÷ off', 'lower'),
    ratio('redisCpu', 'echo, recovery on (Redis store): server CPU per message ÷ off', 'lower'),
    { key: 'plainRtt', label: 'echo, recovery off: median round trip', unit: 'µs', better: 'lower', ratio: false },
    ratio('memoryRtt', 'echo, recovery on (memory store): round trip ÷ off', 'lower'),
    ratio('redisRtt', 'echo, recovery on (Redis store): round trip ÷ off', 'lower'),
    { key: 'pubsubRate', label: 'cross-node broadcast, pub-sub: messages/s', unit: 'msg/s', better: 'higher', ratio: false },
    ratio('aloRate', 'cross-node broadcast, at-least-once: throughput ÷ pub-sub', 'higher'),
    { key: 'pubsubCpu', label: 'cross-node broadcast, pub-sub: CPU per message (both nodes and the client)', unit: 'µs', better: 'lower', ratio: false },
    ratio('aloCpu', 'cross-node broadcast, at-least-once: CPU per message ÷ pub-sub', 'lower'),
    { key: 'pubsubP50', label: 'cross-node broadcast, pub-sub: p50 publish → client', unit: 'ms', better: 'lower', ratio: false },
    ratio('aloP50', 'cross-node broadcast, at-least-once: p50 ÷ pub-sub', 'lower'),
    { key: 'pubsubP99', label: 'cross-node broadcast, pub-sub: p99 publish → client', unit: 'ms', better: 'lower', ratio: false },
    ratio('aloP99', 'cross-node broadcast, at-least-once: p99 ÷ pub-sub', 'lower'),
    { key: 'streamBytesPerEntry', label: 'at-least-once: Redis stream bytes per message (128 B payload)', unit: 'B', better: 'lower', ratio: false },
  ],

  async prepare(ctx) {
    const st = { redis: null, redisPort: 0 };
    ctx.reliability = st;
    if (!hasRedisServer()) {
      ctx.log('  R1: redis-server not found: the Redis rows are left out');
    } else {
      st.redisPort = await freePort();
      const redis = spawn('redis-server', ['--port', String(st.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      st.redis = redis;
      // Killed with the benchmark's children, whatever way the runner ends.
      st.redisEntry = { kill: () => redis.kill('SIGKILL') };
      live.add(st.redisEntry);
      await waitForPort(st.redisPort, 5000);
    }
    st.child = spawnPinned({
      name: 'wse-reliability',
      core: 0,
      script: path.join(__dirname, '..', 'servers', 'reliability.js'),
      nodeArgs: ['--max-old-space-size=1024', ...GC_ARGS],
      env: { ...MALLOC_ENV, BENCH_REDIS_PORT: String(st.redisPort) },
      logFile: path.join(ctx.logDir, 'wse-reliability.log'),
    });
    st.info = await st.child.ready(30000);
  },

  async measure(ctx, id, state, p, round) {
    const st = ctx.reliability;
    const m = {};
    const echo = {};
    // Modes in turn, the order reversed every other round (drift of the machine's load cancels out).
    const turn = (xs) => (round % 2 ? [...xs].reverse() : xs);
    const cpu = () => st.child.call('cpu', {}, 10000);
    for (const mode of turn(Object.keys(st.info.echo))) {
      echo[mode] = { ...(await echoRate(st.info.echo[mode], p.echoMs, cpu)), rtt: await roundTrip(st.info.echo[mode], p.pings) };
    }
    m.plainRate = echo.plain.rate;
    m.plainCpu = echo.plain.cpu;
    m.plainRtt = echo.plain.rtt * 1000;
    for (const mode of ['memory', 'redis']) {
      if (!echo[mode]) continue;
      m[`${mode}Rate`] = echo[mode].rate / echo.plain.rate;
      m[`${mode}Cpu`] = echo[mode].cpu / echo.plain.cpu;
      m[`${mode}Rtt`] = echo[mode].rtt / echo.plain.rtt;
    }
    if (st.info.delivery.length === 2) {
      const args = { messages: p.messages, latencyMessages: p.latencyMessages };
      const d = {};
      for (const mode of turn(['pub-sub', 'at-least-once'])) d[mode] = await st.child.call('delivery', { mode, ...args }, 120000);
      const { 'pub-sub': plain, 'at-least-once': alo } = d;
      Object.assign(m, { pubsubRate: plain.rate, pubsubCpu: plain.cpu, pubsubP50: plain.p50, pubsubP99: plain.p99 });
      Object.assign(m, { aloRate: alo.rate / plain.rate, aloCpu: alo.cpu / plain.cpu, aloP50: alo.p50 / plain.p50, aloP99: alo.p99 / plain.p99 });
      const mem = await st.child.call('streamMemory', {}, 10000);
      if (mem.bytesPerEntry !== null) m.streamBytesPerEntry = mem.bytesPerEntry;
    }
    return m;
  },

  async finish(ctx) {
    const st = ctx.reliability;
    ctx.reliability = null;
    if (st.child) await st.child.stop(3000);
    if (st.redis) {
      st.redis.kill('SIGKILL');
      live.delete(st.redisEntry);
    }
  },
};

function hasRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Resolves once something accepts connections on `port` (bounded by `ms`). */
async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens one connection; a recovery server's first message (the control message) is consumed. */
function open(server) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/echo${server.ask ? '?wse-recovery=' : ''}`, { perMessageDeflate: false });
    ws.once('error', reject);
    if (server.ask) ws.once('message', () => resolve(ws));
    else ws.once('open', () => resolve(ws));
  });
}

function closeAll(sockets) {
  return Promise.all(sockets.map((ws) => new Promise((r) => {
    ws.once('close', r);
    ws.close();
  })));
}

/**
 * Pipelined echo of 32-byte texts over ECHO_CONNECTIONS sockets for `ms` after a short warm-up: messages
 * per second, and the server process's CPU microseconds per message (`cpu()` reads its counter).
 */
async function echoRate(server, ms, cpu) {
  const sockets = await Promise.all(Array.from({ length: ECHO_CONNECTIONS }, () => open(server)));
  let count = 0;
  let running = true;
  const payload = 'x'.repeat(32);
  for (const ws of sockets) {
    ws.on('message', () => {
      count++;
      if (running) ws.send(payload);
    });
    for (let i = 0; i < ECHO_WINDOW; i++) ws.send(payload);
  }
  await new Promise((r) => setTimeout(r, 200));
  const c0 = await cpu();
  const from = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const n = count - from;
  const rate = (n * 1000) / (performance.now() - t0);
  const c1 = await cpu();
  running = false;
  await closeAll(sockets);
  return { rate, cpu: (c1 - c0) / n };
}

/** Median round trip (ms) of `pings` sequential echoes on one idle connection. */
async function roundTrip(server, pings) {
  const ws = await open(server);
  const times = [];
  for (let i = 0; i < pings; i++) {
    const t0 = performance.now();
    await new Promise((r) => {
      ws.once('message', r);
      ws.send('ping');
    });
    times.push(performance.now() - t0);
  }
  await closeAll([ws]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

module.exports = { R1 };
