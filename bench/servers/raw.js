'use strict';
// Raw `ws` servers, the baselines. BENCH_RAW_MODE selects the variant:
//   plain      what a user writes by hand with ws (echo, JSON+DTO, per-socket broadcast loop)
//   corked     the same, but every socket's writes are corked on the first write of an
//              event-loop turn and uncorked in setImmediate (hand-made write coalescing)
//   preframed  the same as plain, but broadcast frames the message once (ws Sender.frame)
//              and writes the same buffer to every socket
// Paths: /echo (text and binary echo), /json (T2 DTO), /bcast (relay to every /bcast client).

const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');
const { runServer } = require('./harness');
const { handleDtoMessage } = require('./dto');

const MODE = process.env.BENCH_RAW_MODE || 'plain';
const NAME = process.env.BENCH_SERVER_NAME || `raw-${MODE}`;
const MAX_PAYLOAD = 2 * 1024 * 1024;

// --- hand-made write coalescing (corked mode) ---
const corked = [];
let flushScheduled = false;
function flushCorked() {
  flushScheduled = false;
  for (let i = 0; i < corked.length; i++) {
    const s = corked[i];
    s.benchCorked = false;
    s.uncork();
  }
  corked.length = 0;
}
function corkOnce(ws) {
  const s = ws._socket;
  if (s.benchCorked) return;
  s.benchCorked = true;
  s.cork();
  corked.push(s);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushCorked);
  }
}

const send =
  MODE === 'corked'
    ? (ws, data, binary) => {
        corkOnce(ws);
        ws.send(data, { binary });
      }
    : (ws, data, binary) => ws.send(data, { binary });

function broadcastNaive(wss, data, binary) {
  for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) send(c, data, binary);
}

function broadcastPreframed(wss, data, binary) {
  const parts = WebSocket.Sender.frame(data, {
    fin: true,
    rsv1: false,
    opcode: binary ? 2 : 1,
    mask: false,
    readOnly: false,
  });
  const frame = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c._socket.write(frame);
}

const broadcast = MODE === 'preframed' ? broadcastPreframed : broadcastNaive;
const noop = () => {};

async function start() {
  const opts = { noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD, clientTracking: true };
  const echo = new WebSocketServer(opts);
  const json = new WebSocketServer(opts);
  const bcast = new WebSocketServer(opts);
  const routes = new Map([
    ['/echo', echo],
    ['/json', json],
    ['/bcast', bcast],
  ]);

  echo.on('connection', (ws) => {
    ws.on('error', noop);
    ws.on('message', (data, isBinary) => send(ws, data, isBinary));
  });
  json.on('connection', (ws) => {
    ws.on('error', noop);
    ws.on('message', (data) => send(ws, handleDtoMessage(data), false));
  });
  bcast.on('connection', (ws) => {
    ws.on('error', noop);
    ws.on('message', (data, isBinary) => broadcast(bcast, data, isBinary));
  });

  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.on('upgrade', (req, socket, head) => {
    const q = req.url.indexOf('?');
    const wss = routes.get(q === -1 ? req.url : req.url.slice(0, q));
    if (!wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    info: { mode: MODE },
    close: async () => {
      for (const wss of routes.values()) for (const c of wss.clients) c.terminate();
      await new Promise((r) => server.close(() => r()));
    },
  };
}

runServer(NAME, start);
