'use strict';
// A minimal WebSocket receiver for the broadcast scenarios: net.Socket with `onread` (no
// stream machinery, one shared read buffer), a hand-written upgrade request and a frame
// skipper that counts data frames without copying them. It answers pings, so servers with
// heartbeats keep it. For socket.io it joins a namespace by hand (engine.io v4 packets).
// Only the receiving side is lean: the trigger that sends is an ordinary client.

const net = require('net');
const crypto = require('crypto');

const READ_BUF = Buffer.allocUnsafe(256 * 1024); // shared: every callback consumes it at once
const MIN_MESSAGE = 1024; // smaller data frames are protocol chatter (socket.io packets, etc.)

function maskedFrame(opcode, payload) {
  const p = Buffer.from(payload);
  if (p.length > 125) throw new Error('lean client only sends small frames');
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | p.length, 0, 0, 0, 0]), p]);
}

/**
 * @param {object} o
 * @param {number} o.port
 * @param {string} o.path         HTTP path of the upgrade request
 * @param {string} [o.sioNamespace]  join this socket.io namespace after the engine.io open packet
 * @param {(bytes: number) => void} o.onMessage  called once per data frame of >= 1 KiB
 */
function openLean({ port, path, sioNamespace, localAddress, timeoutMs = 10000, onMessage }) {
  return new Promise((resolve, reject) => {
    let stage = 'http'; // http -> (sio-open -> sio-ack ->) ready
    let head = '';
    // frame parser state
    let hdr = Buffer.alloc(14);
    let hdrLen = 0;
    let need = 2;
    let remaining = -1; // payload bytes left in the current frame; -1 while reading a header
    let opcode = 0;
    let payloadLen = 0;
    let ctl = null; // collected payload of a control frame
    const lean = { socket: null, messages: 0, bytes: 0 };

    const timer = setTimeout(() => fail(new Error(`lean handshake timed out (${stage})`)), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }
    function ready() {
      stage = 'ready';
      clearTimeout(timer);
      resolve(lean);
    }
    function onFrame() {
      if (opcode === 9) socket.write(maskedFrame(0xa, ctl || Buffer.alloc(0)));
      else if (opcode === 8) socket.end();
      else if (opcode !== 10) {
        if (stage === 'ready') {
          if (payloadLen >= MIN_MESSAGE) {
            lean.messages++;
            onMessage(payloadLen);
          }
        } else if (stage === 'sio-open') {
          stage = 'sio-ack';
          socket.write(maskedFrame(1, `40${sioNamespace === '/' ? '' : `${sioNamespace},`}`));
        } else if (stage === 'sio-ack') {
          ready();
        }
      }
      ctl = null;
    }
    function parse(buf, start, end) {
      let i = start;
      while (i < end) {
        if (remaining < 0) {
          hdr[hdrLen++] = buf[i++];
          if (hdrLen === 2) {
            const l7 = hdr[1] & 0x7f;
            need = 2 + (l7 === 126 ? 2 : l7 === 127 ? 8 : 0) + (hdr[1] & 0x80 ? 4 : 0);
          }
          if (hdrLen >= 2 && hdrLen === need) {
            opcode = hdr[0] & 0x0f;
            const l7 = hdr[1] & 0x7f;
            payloadLen = l7 === 126 ? hdr.readUInt16BE(2) : l7 === 127 ? Number(hdr.readBigUInt64BE(2)) : l7;
            remaining = payloadLen;
            hdrLen = 0;
            need = 2;
            if (opcode >= 8) ctl = Buffer.alloc(0);
            if (remaining === 0) {
              remaining = -1;
              onFrame();
            }
          }
        } else {
          const take = Math.min(remaining, end - i);
          if (ctl) ctl = Buffer.concat([ctl, buf.subarray(i, i + take)]);
          i += take;
          remaining -= take;
          lean.bytes += take;
          if (remaining === 0) {
            remaining = -1;
            onFrame();
          }
        }
      }
    }
    function onread(n, buf) {
      if (stage !== 'http') return parse(buf, 0, n);
      head += buf.latin1Slice(0, n);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 8192) fail(new Error('upgrade response too long'));
        return undefined;
      }
      if (!/^HTTP\/1\.1 101/.test(head)) return fail(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      head = '';
      if (sioNamespace) stage = 'sio-open';
      else ready();
      return parse(rest, 0, rest.length);
    }

    const socket = net.connect({
      port,
      host: '127.0.0.1',
      localAddress,
      noDelay: true,
      onread: { buffer: READ_BUF, callback: onread },
    });
    lean.socket = socket;
    socket.on('error', (err) => (stage === 'ready' ? undefined : fail(err)));
    socket.on('connect', () => {
      const key = crypto.randomBytes(16).toString('base64');
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}

module.exports = { openLean };
