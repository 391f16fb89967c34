'use strict';
// The server process of scenario R1 (bench/scenarios/reliability.js), pinned to core 0 by the runner.
// Echo servers with session recovery off, on with the memory store, and on with the Redis store; and two
// pairs of nodes broadcasting across a private Redis, one pair per delivery mode ("pub-sub",
// "at-least-once"). The echo load comes from the runner; a cross-node broadcast is measured in here
// (publish call on node A → a ws client of node B, one clock), answering the `delivery` command.
// Environment: BENCH_REDIS_PORT, the private redis-server (absent: the Redis rows are left out).

const { serveRpc, sendReady, sendFatal } = require('../lib/child-rpc');
require('reflect-metadata');
const WebSocket = require('ws');
const wse = require('../../dist/src/index.js');
const { RedisBroker, RedisRecoveryStore } = require('../../dist/src/redis/index.js');

const REDIS_PORT = Number(process.env.BENCH_REDIS_PORT || 0);
const REDIS = REDIS_PORT ? `redis://127.0.0.1:${REDIS_PORT}` : null;
const DELIVERY_WINDOW = 64;

// Decorators applied by hand: this file is plain JavaScript.
function echoEndpoint(options) {
  class Echo {}
  Echo.prototype.text = (m) => m;
  Reflect.defineMetadata('design:paramtypes', [String], Echo.prototype, 'text');
  wse.OnMessage()(Echo.prototype, 'text', Object.getOwnPropertyDescriptor(Echo.prototype, 'text'));
  wse.ServerEndpoint(options)(Echo);
  return Echo;
}

function receiverEndpoint() {
  class Receiver {}
  Receiver.prototype.open = function open(session) {
    session.join('r');
    session.getAsyncRemote().sendText('ready');
  };
  Reflect.defineMetadata('design:paramtypes', [wse.Session], Receiver.prototype, 'open');
  wse.OnOpen()(Receiver.prototype, 'open', Object.getOwnPropertyDescriptor(Receiver.prototype, 'open'));
  wse.ServerEndpoint('/r')(Receiver);
  return Receiver;
}

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const handles = [];
async function start(endpoints, extra = {}) {
  const h = await wse.bootstrap({ endpoints, port: 0, host: '127.0.0.1', logger: wse.silentLogger, ...extra });
  handles.push(h);
  return h;
}

/** Broadcasts `messages` 128-byte texts from node A, at most DELIVERY_WINDOW unanswered; messages per second arriving at B's client. */
async function throughput({ a, client }, messages) {
  const payload = 'x'.repeat(128);
  let received = 0;
  const done = new Promise((resolve) => {
    const onMessage = () => {
      if (++received === messages) {
        client.off('message', onMessage);
        resolve();
      }
    };
    client.on('message', onMessage);
  });
  const started = process.hrtime.bigint();
  let sent = 0;
  let inFlight = 0;
  await new Promise((resolve, reject) => {
    const pump = () => {
      while (inFlight < DELIVERY_WINDOW && sent < messages) {
        sent++;
        inFlight++;
        a.broadcaster.broadcast(payload, { room: 'r' }).then((r) => {
          if (!r.published) return reject(new Error(`not published: ${r.error && r.error.message}`));
          inFlight--;
          if (sent < messages) pump();
          else if (inFlight === 0) resolve();
        }, reject);
      }
    };
    pump();
  });
  await done;
  return messages / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Broadcasts paced one a millisecond; median and 99th percentile of publish → B's client, in ms. */
async function latency({ a, client }, messages) {
  const delays = [];
  const done = new Promise((resolve) => {
    const onMessage = (data) => {
      delays.push(Number(process.hrtime.bigint() - BigInt(String(data))) / 1e6);
      if (delays.length === messages) {
        client.off('message', onMessage);
        resolve();
      }
    };
    client.on('message', onMessage);
  });
  for (let i = 0; i < messages; i++) {
    await a.broadcaster.broadcast(String(process.hrtime.bigint()), { room: 'r' });
    await new Promise((r) => setTimeout(r, 1));
  }
  await done;
  delays.sort((x, y) => x - y);
  return { p50: delays[Math.floor(delays.length * 0.5)], p99: delays[Math.floor(delays.length * 0.99)] };
}

async function main() {
  const echo = {};
  const plain = await start([echoEndpoint({ path: '/echo' })]);
  echo.plain = { port: plain.address.port, ask: false };
  const memory = await start([echoEndpoint({ path: '/echo', recovery: { window: '2m' } })]);
  echo.memory = { port: memory.address.port, ask: true };
  const pairs = {};
  if (REDIS) {
    const store = new RedisRecoveryStore({ redis: REDIS, keyPrefix: `bench${process.pid}`, logger: wse.silentLogger });
    await store.ready();
    const stored = await start([echoEndpoint({ path: '/echo', recovery: { window: '2m' } })], { recoveryStore: store });
    echo.redis = { port: stored.address.port, ask: true };
    for (const mode of ['pub-sub', 'at-least-once']) {
      const node = (id) =>
        start([receiverEndpoint()], {
          broker: new RedisBroker({ redis: REDIS, keyPrefix: `bench-${mode}`, delivery: mode, logger: wse.silentLogger }),
          nodeId: `${mode}-${id}`,
        });
      const a = await node('a');
      const b = await node('b');
      const client = new WebSocket(`ws://127.0.0.1:${b.address.port}/r`);
      await new Promise((resolve, reject) => {
        client.once('message', resolve);
        client.once('error', reject);
      });
      pairs[mode] = { a, b, client };
    }
  }
  serveRpc({
    async delivery({ mode, messages, latencyMessages }) {
      const c0 = cpuMicros();
      const rate = await throughput(pairs[mode], messages);
      // Both nodes and the receiving client live in this process: its CPU per message (Redis's own apart).
      const cpu = (cpuMicros() - c0) / messages;
      return { rate, cpu, ...(await latency(pairs[mode], latencyMessages)) };
    },
    cpu: async () => cpuMicros(),
    /** What the at-least-once stream costs Redis: bytes per entry (128-byte payloads). */
    async streamMemory() {
      const { Redis } = require('ioredis');
      const probe = new Redis({ port: REDIS_PORT, lazyConnect: true });
      try {
        await probe.connect();
        const key = '{bench-at-least-once}:stream';
        const entries = await probe.xlen(key);
        const bytes = Number(await probe.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        return { entries, bytesPerEntry: entries ? bytes / entries : null };
      } finally {
        probe.disconnect();
      }
    },
    async stop() {
      for (const { client } of Object.values(pairs)) client.terminate();
      await Promise.all(handles.map((h) => h.close()));
    },
  });
  sendReady({ echo, delivery: Object.keys(pairs) });
}

main().catch(sendFatal);
