'use strict';
// uWebSockets.js, the anchor arm: C++ HTTP parser, WebSocket parser and socket layer under a thin
// JavaScript API. It is the practical upper bound for a WebSocket server in Node, so its column shows how
// far every other server is from what the runtime allows.
// Paths as in raw.js: /echo (text and binary echo), /json (T2 DTO, validated by hand as raw ws does),
// /bcast (uWS's own pub/sub: one publish reaches every /bcast socket, framed once in C++).
//
// The npm package falls back to a JavaScript emulation over `ws` when its binary does not load for this
// Node; measured, that would be a second raw ws column labelled uWS, so the server refuses to start then.

const { runServer } = require('./harness');
const { handleDtoMessage } = require('./dto');

const PACKAGE = '@trufflesuite/uws-js-unofficial';
const MAX_PAYLOAD = 2 * 1024 * 1024;
// uWS drops a send once a socket holds more than maxBackpressure bytes. The echo paths must lose nothing
// (the load generator counts every reply and a 1 MiB echo is one message), so they get room for the load
// generator's deepest window; the broadcast path keeps a bound, as T9's stalled reader needs.
const ECHO_BACKPRESSURE = 64 * 1024 * 1024;
const BCAST_BACKPRESSURE = 1024 * 1024;
const ROOM = 'bcast';

function loadNative() {
  delete process.env.UWS_USE_FALLBACK;
  const warn = console.warn;
  const seen = [];
  console.warn = (...a) => seen.push(a.join(' '));
  let uws;
  try {
    uws = require(PACKAGE);
  } finally {
    console.warn = warn;
  }
  // The native binding's functions are native code; the fallback's are JavaScript.
  if (!/\[native code\]/.test(Function.prototype.toString.call(uws.App))) {
    throw new Error(
      `${PACKAGE}: only the JavaScript fallback loaded (no binary for node ${process.versions.node}, ` +
        `ABI ${process.versions.modules}, ${process.platform}-${process.arch}); refusing to measure it as uWS. ${seen.join(' ')}`,
    );
  }
  return uws;
}

function start() {
  const uws = loadNative();
  const app = uws.App();
  const open = new Set();
  const track = { open: (ws) => open.add(ws), close: (ws) => open.delete(ws) };
  const common = { compression: uws.DISABLED, maxPayloadLength: MAX_PAYLOAD, idleTimeout: 0 };

  app.ws('/echo', {
    ...common,
    maxBackpressure: ECHO_BACKPRESSURE,
    ...track,
    message: (ws, message, isBinary) => ws.send(message, isBinary),
  });
  app.ws('/json', {
    ...common,
    maxBackpressure: ECHO_BACKPRESSURE,
    ...track,
    // The ArrayBuffer is only valid during this call: JSON.parse reads it right away.
    message: (ws, message) => ws.send(handleDtoMessage(Buffer.from(message)), false),
  });
  app.ws('/bcast', {
    ...common,
    maxBackpressure: BCAST_BACKPRESSURE,
    open: (ws) => {
      open.add(ws);
      ws.subscribe(ROOM);
    },
    close: track.close,
    message: (ws, message, isBinary) => app.publish(ROOM, message, isBinary),
  });
  app.any('/*', (res) => res.writeStatus('404 Not Found').end());

  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (token) => {
      if (!token) return reject(new Error('uWS: listen on 127.0.0.1 failed'));
      resolve({
        port: uws.us_socket_local_port(token),
        info: { package: PACKAGE, version: require(`${PACKAGE}/package.json`).version, native: true },
        close: async () => {
          uws.us_listen_socket_close(token);
          for (const ws of [...open]) ws.close();
        },
      });
    });
  });
}

runServer(process.env.BENCH_SERVER_NAME || 'uws', start);
