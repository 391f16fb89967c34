'use strict';
// A socket without a kernel for the callgrind counts: what ws and ws-endpoints read from a net.Socket,
// writes counted and dropped; and the ws-endpoints echo server both counts run.

const { Duplex } = require('stream');
const crypto = require('crypto');

class FakeSocket extends Duplex {
  constructor(n) {
    super({ allowHalfOpen: false });
    this.out = 0;
    this.remoteAddress = '127.0.0.1';
    this.remotePort = 40000 + n;
    this.remoteFamily = 'IPv4';
  }
  _read() {}
  _write(c, e, cb) {
    if (this.out === 0) this.head = String(c).slice(0, 12);
    this.out += c.length;
    cb();
  }
  _writev(cs, cb) {
    if (this.out === 0) this.head = String(cs[0].chunk).slice(0, 12);
    for (const c of cs) this.out += c.chunk.length;
    cb();
  }
  setTimeout() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
}

function upgradeRequest(socket, url = '/echo') {
  const headers = {
    host: '127.0.0.1',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': crypto.randomBytes(16).toString('base64'),
    'sec-websocket-version': '13',
  };
  return { method: 'GET', url, httpVersion: '1.1', httpVersionMajor: 1, httpVersionMinor: 1, headers, socket, rawHeaders: [] };
}

/**
 * A ws-endpoints server from a build directory with the /echo endpoint the bench's wse peer declares (text and binary),
 * started with no timers that would fire during a long run under valgrind (heartbeat, handler timeouts).
 */
async function startWseEcho(dist, options = {}) {
  const path = require('path');
  const req = require('module').createRequire(path.join(dist, 'src/index.js'));
  req('reflect-metadata');
  const lib = req(path.join(dist, 'src/index.js'));
  class Echo {
    onText(text, session) {
      session.getAsyncRemote().sendText(text);
    }
    onBinary(data, session) {
      session.getAsyncRemote().sendBinary(data);
    }
  }
  Reflect.decorate([lib.OnMessage(), Reflect.metadata('design:paramtypes', [String, lib.Session])], Echo.prototype, 'onText', Object.getOwnPropertyDescriptor(Echo.prototype, 'onText'));
  Reflect.decorate([lib.OnMessage(), Reflect.metadata('design:paramtypes', [Buffer, lib.Session])], Echo.prototype, 'onBinary', Object.getOwnPropertyDescriptor(Echo.prototype, 'onBinary'));
  Reflect.decorate([lib.ServerEndpoint('/echo')], Echo);
  return lib.bootstrap({ endpoints: [Echo], port: 0, host: '127.0.0.1', heartbeatInterval: 0, handlerTimeout: 0, ...options });
}

/** That server with `conns` fake connections opened and settled (what the echo counts drive). */
async function wseEchoSockets(dist, conns, options) {
  const h = await startWseEcho(dist, { maxConnectionsPerIp: 1e5, ...options });
  const sockets = [];
  for (let i = 0; i < conns; i++) {
    const s = new FakeSocket(i);
    sockets.push(s);
    h.server.emit('upgrade', upgradeRequest(s), s, Buffer.alloc(0));
  }
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return { sockets, close: () => h.close() };
}

module.exports = { FakeSocket, upgradeRequest, startWseEcho, wseEchoSockets };
