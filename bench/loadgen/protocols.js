'use strict';
// How the load generator talks to each kind of server:
//   ws    plain WebSocket messages (raw ws variants, ws-endpoints)
//   nest  WsAdapter JSON envelopes {event, data} over plain WebSocket
//   sio   socket.io-client, WebSocket transport only
// A Conn hides the difference: send(pre-encoded message), onReply(fn), close(), socket().

const { WebSocket } = require('ws');
const { io } = require('socket.io-client');

// Where each workload goes, per kind of server.
const ROUTES = {
  echo: { ws: { path: '/echo' }, nest: { path: '/echo', event: 'echo' }, sio: { ns: '/', event: 'echo' } },
  json: { ws: { path: '/json' }, nest: { path: '/echo', event: 'dto' }, sio: { ns: '/', event: 'dto' } },
  big: {
    ws: { path: '/echo', binary: true },
    nest: { path: '/echo', event: 'big' },
    sio: { ns: '/', event: 'big', binary: true },
  },
  bcast: {
    ws: { path: '/bcast' },
    nest: { path: '/bcast', event: 'bcast' },
    sio: { ns: '/bcast', event: 'bcast', reply: 'b' },
  },
};

function route(kind, name) {
  const r = ROUTES[name] && ROUTES[name][kind];
  if (!r) throw new Error(`no route '${name}' for kind '${kind}'`);
  return r;
}

// Payloads. Text payloads are ASCII, so their byte length is their string length.
const DTO = { id: 42, name: 'benchmark-user', tags: ['alpha', 'beta', 'gamma'] };
function payload(type) {
  switch (type) {
    case 'small':
      return { value: 'hello ws-endpoints benchmark 01!', bytes: 32 };
    case 'dto':
      return { value: DTO, bytes: JSON.stringify(DTO).length };
    case 'bcast4k':
      return { value: 'b'.repeat(4096), bytes: 4096 };
    default: {
      const m = /^(bin|txt)(\d+)$/.exec(type);
      if (!m) throw new Error(`unknown payload '${type}'`);
      const n = Number(m[2]);
      // A string goes out as a text frame (encode below), a Buffer as the route says (binary for 'big').
      return { value: m[1] === 'txt' ? 'a'.repeat(n) : Buffer.alloc(n, 0x61), bytes: n };
    }
  }
}

/** Encodes a payload once for a kind+route; the result is handed to Conn.send as is. */
function encode(kind, r, p) {
  const v = p.value;
  if (kind === 'sio') return { event: r.event, data: v };
  if (kind === 'nest') {
    const data = Buffer.isBuffer(v) ? v.toString('latin1') : v;
    return { buf: Buffer.from(JSON.stringify({ event: r.event, data })), binary: false };
  }
  if (Buffer.isBuffer(v)) return { buf: v, binary: !!r.binary };
  return { buf: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), binary: false };
}

const noMask = () => {}; // all-zero mask: the client skips XOR work (servers still unmask)
let addrCounter = 0;
/** Spread client source addresses over 127.0.0.1-16 so ephemeral ports never run out. */
function localAddress() {
  addrCounter = (addrCounter + 1) % 16;
  return `127.0.0.${addrCounter + 1}`;
}

function connectWs(kind, port, r, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${r.path}`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      generateMask: noMask,
      handshakeTimeout: timeoutMs,
      localAddress: localAddress(),
    });
    const fail = (err) => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(err);
    };
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () => {
      ws.removeListener('error', fail);
      ws.on('error', () => {});
      resolve(wsConn(kind, ws));
    });
  });
}

function wsConn(kind, ws) {
  let onReply = null;
  ws.on('message', (data) => {
    if (onReply) onReply(data.length);
  });
  return {
    kind,
    ws,
    send: (m) => ws.send(m.buf, { binary: m.binary }),
    onReply(fn) {
      onReply = fn;
    },
    socket: () => ws._socket,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    close: (timeoutMs = 3000) => closeWs(ws, timeoutMs),
  };
}

function closeWs(ws, timeoutMs) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    ws.close();
  });
}

function connectSio(port, r, timeoutMs) {
  return new Promise((resolve, reject) => {
    const s = io(`http://127.0.0.1:${port}${r.ns}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      perMessageDeflate: false,
      localAddress: localAddress(),
    });
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
    s.once('connect', () => resolve(sioConn(s, r)));
  });
}

function sioConn(s, r) {
  let onReply = null;
  s.on(r.reply || r.event, () => {
    if (onReply) onReply(0);
  });
  return {
    kind: 'sio',
    sio: s,
    send: (m) => s.emit(m.event, m.data),
    onReply(fn) {
      onReply = fn;
    },
    socket: () => s.io.engine && s.io.engine.transport && s.io.engine.transport.ws && s.io.engine.transport.ws._socket,
    isOpen: () => s.connected,
    close: (timeoutMs = 3000) =>
      new Promise((resolve) => {
        if (!s.io.engine || s.io.engine.readyState === 'closed') return resolve();
        const t = setTimeout(resolve, timeoutMs);
        s.io.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        s.disconnect();
      }),
  };
}

/** Opens one connection of the given kind to a route; rejects after timeoutMs. */
function connect(kind, port, routeName, timeoutMs = 10000) {
  const r = route(kind, routeName);
  return kind === 'sio' ? connectSio(port, r, timeoutMs) : connectWs(kind, port, r, timeoutMs);
}

module.exports = { ROUTES, route, payload, encode, connect, localAddress };
