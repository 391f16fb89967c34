'use strict';
// Handshake cycles through fake sockets (no kernel, no timers), as T7 drives them: upgrade request,
// open, the client's close frame, the server's answer, both ends closed. raw ws (what a user writes by
// hand) or ws-endpoints from a build directory. Run under callgrind by count.js --handshake; the
// difference between two cycle counts is the per-handshake cost, free of start-up and JIT warm-up.
// Usage: ITERS=300 node handshake-server.js raw|<dist directory>

const path = require('path');
const { FakeSocket, upgradeRequest, startWseEcho } = require('./fake-socket');

const BENCH = path.resolve(__dirname, '..');
const { WebSocketServer } = require(path.join(BENCH, 'node_modules/ws'));

const BATCH = 32; // handshakes in flight, as T7's 32 concurrent clients
const ITERS = Number(process.env.ITERS || 100);
// A masked close frame with code 1000 and an all-zero mask, as the load generator's client sends it.
const CLOSE = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);

const tick = () => new Promise((r) => setImmediate(r));

function rawServer() {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 2 << 20, clientTracking: true });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return {
    upgrade: (req, s) =>
      wss.handleUpgrade(req, s, Buffer.alloc(0), (ws) => wss.emit('connection', ws, req)),
    close: async () => {},
  };
}

async function wseServer(dist) {
  const h = await startWseEcho(dist);
  return { upgrade: (rq, s) => h.server.emit('upgrade', rq, s, Buffer.alloc(0)), close: () => h.close() };
}

async function main() {
  const which = process.argv[2];
  if (!which) throw new Error('usage: node handshake-server.js raw|<dist directory>');
  const server = which === 'raw' ? rawServer() : await wseServer(path.resolve(which));
  let closed = 0;
  for (let i = 0; i < ITERS; i++) {
    const batch = [];
    for (let j = 0; j < BATCH; j++) {
      const s = new FakeSocket(j);
      s.on('close', () => closed++);
      batch.push(s);
      server.upgrade(upgradeRequest(s), s);
    }
    await tick();
    for (const s of batch) if (s.head !== 'HTTP/1.1 101') throw new Error(`not upgraded: ${s.head}`);
    for (const s of batch) s.push(CLOSE);
    await tick();
    for (const s of batch) s.push(null);
    for (let k = 0; k < 3; k++) await tick();
  }
  for (let k = 0; k < 20 && closed < ITERS * BATCH; k++) await tick();
  if (closed < ITERS * BATCH) throw new Error(`closed ${closed} of ${ITERS * BATCH} connections`);
  process.exit(0);
}

module.exports = { BATCH };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  });
}
