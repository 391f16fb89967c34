'use strict';
// One echo server in this process, fed through fake sockets (no kernel, no timers): raw ws with
// hand-corked writes, or ws-endpoints from a build directory. Run under callgrind by count.js; the
// difference between two message counts is the per-message cost, free of start-up and JIT warm-up.
// Usage: ITERS=300 node echo-server.js raw|<dist directory>

const path = require('path');
const { FakeSocket, upgradeRequest, wseEchoSockets } = require('./fake-socket');

const BENCH = path.resolve(__dirname, '..');
const { WebSocketServer } = require(path.join(BENCH, 'node_modules/ws'));

const CONNS = 50;
const DEPTH = 16;
const ITERS = Number(process.env.ITERS || 300);
const MSG = 'hello ws-endpoints benchmark 01!';

/** DEPTH masked text frames (all-zero mask), as a pipelining client sends them in one write. */
function chunk() {
  const p = Buffer.from(MSG);
  const f = Buffer.alloc(6 + p.length);
  f[0] = 0x81;
  f[1] = 0x80 | p.length;
  p.copy(f, 6);
  return Buffer.concat(Array(DEPTH).fill(f));
}

const tick = () => new Promise((r) => setImmediate(r));

async function rawServer() {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 2 << 20 });
  const corked = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const s of corked) {
      s.benchCorked = false;
      s.uncork();
    }
    corked.length = 0;
  };
  const sockets = [];
  for (let i = 0; i < CONNS; i++) {
    const s = new FakeSocket(i);
    sockets.push(s);
    wss.handleUpgrade(upgradeRequest(s), s, Buffer.alloc(0), (ws) => {
      ws.on('message', (data, isBinary) => {
        const so = ws._socket;
        if (!so.benchCorked) {
          so.benchCorked = true;
          so.cork();
          corked.push(so);
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        }
        ws.send(data, { binary: isBinary });
      });
    });
  }
  await tick();
  return sockets;
}

async function main() {
  const which = process.argv[2];
  if (!which) throw new Error('usage: node echo-server.js raw|<dist directory>');
  const server = which === 'raw' ? { sockets: await rawServer(), close: async () => {} } : await wseEchoSockets(path.resolve(which), CONNS);
  const data = chunk();
  for (let i = 0; i < ITERS; i++) {
    for (const s of server.sockets) s.push(data);
    await tick();
  }
  let out = 0;
  for (const s of server.sockets) out += s.out;
  const expected = ITERS * CONNS * DEPTH * (2 + MSG.length);
  if (out < expected) throw new Error(`echoed ${out} bytes, expected at least ${expected}`);
  process.exit(0);
}

module.exports = { CONNS, DEPTH };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  });
}
