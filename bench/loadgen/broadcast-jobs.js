'use strict';
// Broadcast workloads (T4, T9). One trigger connection (an ordinary client) sends the 4 KiB
// message; the server relays it to every session of the route. The other sessions are lean
// receivers (lean-client.js) that count data frames without parsing them into messages, so
// one client core keeps up with the server. Broadcast k is complete when every counted
// receiver has received k messages; at most `window` broadcasts are in flight.
// T9 adds a victim: one more session, not counted, that never reads (socket paused).

const { performance } = require('perf_hooks');
const { connect, route, payload, encode, localAddress } = require('./protocols');
const { openLean } = require('./lean-client');

const now = () => performance.now();
const RING = 4096;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function leanTarget(kind, port) {
  const r = route(kind, 'bcast');
  return kind === 'sio'
    ? { port, path: '/socket.io/?EIO=4&transport=websocket', sioNamespace: r.ns }
    : { port, path: r.path };
}

/** Opens the trigger plus count-1 lean receivers (at most `concurrency` handshakes at once). */
async function openBroadcastSet(target, count, concurrency, deadlineMs) {
  const t0 = now();
  const set = {
    kind: target.kind,
    target,
    routeName: 'bcast',
    completed: 0,
    reached: new Int32Array(RING),
    onComplete: null,
    receivers: [],
    victim: null,
  };
  set.msg = encode(target.kind, route(target.kind, 'bcast'), payload('bcast4k'));
  set.trigger = await connect(target.kind, target.port, 'bcast', deadlineMs);
  set.trigger.onReply(null);
  const lt = leanTarget(target.kind, target.port);
  const errors = [];
  let started = 1;
  const worker = async () => {
    while (started < count && now() - t0 < deadlineMs) {
      started++;
      const st = { messages: 0 };
      try {
        st.lean = await openLean({
          ...lt,
          localAddress: localAddress(),
          timeoutMs: 10000,
          onMessage: () => {
            const m = ++st.messages;
            const slot = m % RING;
            if (++set.reached[slot] === set.receivers.length) {
              set.reached[slot] = 0;
              set.completed = m;
              if (set.onComplete) set.onComplete();
            }
          },
        });
        set.receivers.push(st);
      } catch (err) {
        errors.push(String(err && err.message));
        if (errors.length > 10) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  set.conns = [set.trigger];
  return { set, opened: set.receivers.length + 1, errors, ms: now() - t0 };
}

/** Runs broadcasts for durationMs with `window` in flight: {completed, rate, drained}. */
async function runBroadcast(set, { durationMs, window = 16, drainMs = 10000 }) {
  const base = set.completed;
  let sent = base;
  let running = true;
  const pump = () => {
    while (running && sent - set.completed < window) {
      sent++;
      set.trigger.send(set.msg);
    }
  };
  set.onComplete = pump;
  const t0 = now();
  pump();
  await sleep(durationMs);
  running = false;
  const elapsedMs = now() - t0;
  const completed = set.completed - base;
  const d0 = now();
  while (set.completed < sent && now() - d0 < drainMs) await sleep(5);
  set.onComplete = null;
  return {
    completed,
    elapsedMs,
    rate: (completed * 1000) / elapsedMs,
    deliveriesPerSec: (completed * (set.receivers.length + 1) * 1000) / elapsedMs,
    receivers: set.receivers.length,
    drained: set.completed >= sent,
  };
}

/** T9: one more session, not counted, that never reads after its handshake ('open'), or 'close'. */
async function victim(set, action) {
  if (action === 'open') {
    if (set.victim) set.victim.socket.destroy();
    set.victim = await openLean({ ...leanTarget(set.kind, set.target.port), onMessage: () => {} });
    set.victim.socket.pause();
    return { open: true };
  }
  if (action === 'close') {
    if (set.victim) set.victim.socket.destroy();
    set.victim = null;
    return { closed: true };
  }
  throw new Error(`unknown victim action '${action}'`);
}

async function closeBroadcastSet(set) {
  if (set.victim) set.victim.socket.destroy();
  for (const r of set.receivers) r.lean.socket.destroy();
  await set.trigger.close(2000);
  return { closed: set.receivers.length + 1 };
}

module.exports = { openBroadcastSet, runBroadcast, victim, closeBroadcastSet };
