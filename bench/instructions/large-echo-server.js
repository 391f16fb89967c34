'use strict';
// Large-message echo through fake sockets (no kernel, no timers), as T3 drives it: CONNS connections,
// one message of SIZE bytes each in flight, text or binary, ASCII. Plain raw ws (what a user writes by
// hand, T3's baseline) or ws-endpoints from a build directory. Run under callgrind by
// count.js --large SIZE [--binary]; the difference between two message counts is the per-message cost.
// The frames come in 64 KiB socket reads, as TCP delivers them.
// Usage: ITERS=20 SIZE=65536 KIND=text node large-echo-server.js raw|<dist directory>

const path = require('path');
const { FakeSocket, upgradeRequest, wseEchoSockets } = require('./fake-socket');

const BENCH = path.resolve(__dirname, '..');
const { WebSocketServer } = require(path.join(BENCH, 'node_modules/ws'));

const CONNS = 4;
const ITERS = Number(process.env.ITERS || 20);
const SIZE = Number(process.env.SIZE || 65536);
const BINARY = process.env.KIND === 'binary';
const READ = 64 * 1024;

/** One masked frame (all-zero mask, as the load generator sends) cut into 64 KiB reads. */
function reads() {
  const head = SIZE < 126 ? Buffer.from([0, 0x80 | SIZE]) : SIZE < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = BINARY ? 0x82 : 0x81;
  if (SIZE >= 126 && SIZE < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(SIZE, 2);
  } else if (SIZE >= 65536) {
    head[1] = 0x80 | 127;
    head.writeUInt32BE(SIZE, 6);
  }
  const frame = Buffer.concat([head, Buffer.alloc(4), Buffer.alloc(SIZE, 'abcdefghijklmnopqrstuvwxyz0123456789')]);
  const out = [];
  for (let i = 0; i < frame.length; i += READ) out.push(frame.subarray(i, i + READ));
  return out;
}

const tick = () => new Promise((r) => setImmediate(r));

async function rawServer() {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 2 << 20 });
  const sockets = [];
  for (let i = 0; i < CONNS; i++) {
    const s = new FakeSocket(i);
    sockets.push(s);
    wss.handleUpgrade(upgradeRequest(s), s, Buffer.alloc(0), (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  }
  await tick();
  return { sockets };
}

async function main() {
  const which = process.argv[2];
  if (!which) throw new Error('usage: node large-echo-server.js raw|<dist directory>');
  const server = which === 'raw' ? await rawServer() : await wseEchoSockets(path.resolve(which), CONNS, { maxMessageSize: 2 << 20 });
  // Fresh copies per read: ws and the framework may keep (or unmask) what they are given.
  const parts = reads();
  for (let i = 0; i < ITERS; i++) {
    for (const s of server.sockets) for (const p of parts) s.push(Buffer.from(p));
    await tick();
    await tick();
  }
  let out = 0;
  for (const s of server.sockets) out += s.out;
  const expected = ITERS * CONNS * SIZE;
  if (out < expected) throw new Error(`echoed ${out} bytes, expected at least ${expected}`);
  process.exit(0);
}

module.exports = { CONNS };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  });
}
