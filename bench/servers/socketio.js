'use strict';
// socket.io 4.8 server, WebSocket transport only.
// Namespace '/': events 'echo' (text), 'big' (binary), 'dto' (T2, validated by hand).
// Namespace '/bcast': event 'bcast' is relayed as 'b' to every socket of the namespace.
// pingInterval is raised so that the byte-counting receivers of T4/T9 (which do not parse
// engine.io packets, so never answer pings) are not dropped mid-run; it changes no data path.

const http = require('http');
const { Server } = require('socket.io');
const { runServer } = require('./harness');
const { validateDtoObject } = require('./dto');

async function start() {
  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  const io = new Server(server, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 2 * 1024 * 1024,
    pingInterval: 600000,
    pingTimeout: 60000,
  });
  io.on('connection', (socket) => {
    socket.on('echo', (msg) => socket.emit('echo', msg));
    socket.on('big', (msg) => socket.emit('big', msg));
    socket.on('dto', (plain) => {
      const r = validateDtoObject(plain);
      socket.emit('dto', r.ok ? r.dto : { error: r.errors });
    });
  });
  const bcast = io.of('/bcast');
  bcast.on('connection', (socket) => {
    socket.on('bcast', (msg) => bcast.emit('b', msg));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: async () => {
      io.disconnectSockets(true);
      await new Promise((r) => io.close(() => r()));
    },
  };
}

runServer('socketio', start);
