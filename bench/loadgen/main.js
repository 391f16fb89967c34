'use strict';
// The load generator process (pinned to core 1 by the runner). It keeps named sets of open
// connections and runs bounded jobs on them on request; every job has a deadline.

const { performance } = require('perf_hooks');
const { serveRpc, sendReady } = require('../lib/child-rpc');
const { connect, route, payload, encode } = require('./protocols');
const { throughput, latency } = require('./echo-jobs');
const { openBroadcastSet, runBroadcast, victim, closeBroadcastSet } = require('./broadcast-jobs');

const now = () => performance.now();
const sets = new Map();
let nextSet = 1;

process.title = 'bench-loadgen';
process.on('uncaughtException', (err) => process.stderr.write(`[loadgen] uncaught: ${err && err.stack}\n`));

/** Opens `count` connections, at most `concurrency` handshakes at a time, within deadlineMs. */
async function openMany(target, routeName, count, concurrency, deadlineMs) {
  const conns = [];
  const errors = [];
  const t0 = now();
  let started = 0;
  const worker = async () => {
    while (started < count && now() - t0 < deadlineMs) {
      started++;
      try {
        conns.push(await connect(target.kind, target.port, routeName, Math.max(1000, deadlineMs - (now() - t0))));
      } catch (err) {
        errors.push(String(err && err.message));
        if (errors.length > Math.max(10, count / 100)) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { conns, errors, ms: now() - t0 };
}

async function closeAll(conns) {
  const chunk = 500;
  for (let i = 0; i < conns.length; i += chunk) {
    await Promise.all(conns.slice(i, i + chunk).map((c) => c.close(3000)));
  }
}

function getSet(id) {
  const set = sets.get(id);
  if (!set) throw new Error(`no connection set ${id}`);
  return set;
}

const handlers = {
  async open({ target, route: routeName, count, concurrency = 64, deadlineMs = 60000 }) {
    const id = nextSet++;
    if (routeName === 'bcast') {
      const r = await openBroadcastSet(target, count, concurrency, deadlineMs);
      sets.set(id, r.set);
      return { setId: id, opened: r.opened, wanted: count, errors: r.errors.slice(0, 5), ms: r.ms };
    }
    const { conns, errors, ms } = await openMany(target, routeName, count, concurrency, deadlineMs);
    sets.set(id, { id, target, kind: target.kind, routeName, conns });
    return { setId: id, opened: conns.length, wanted: count, errors: errors.slice(0, 5), ms };
  },

  async close({ setId }) {
    const set = sets.get(setId);
    if (!set) return { closed: 0 };
    sets.delete(setId);
    if (set.routeName === 'bcast') return closeBroadcastSet(set);
    await closeAll(set.conns);
    return { closed: set.conns.length };
  },

  async throughput({ setId, payload: type, depth, durationMs, cork }) {
    const set = getSet(setId);
    const p = payload(type);
    const msg = encode(set.kind, route(set.kind, set.routeName), p);
    const r = await throughput(set.conns, msg, { depth, durationMs, cork });
    return { ...r, bytesPerSec: r.rate * p.bytes };
  },

  async latency({ setId, payload: type, rate, durationMs }) {
    const set = getSet(setId);
    const msg = encode(set.kind, route(set.kind, set.routeName), payload(type));
    return latency(set.conns, msg, { rate, durationMs });
  },

  async broadcast({ setId, durationMs, window }) {
    return runBroadcast(getSet(setId), { durationMs, window });
  },

  async victim({ setId, action }) {
    const set = getSet(setId);
    return victim(set, action);
  },

  /** Every connection sends one small echo; counts the replies within timeoutMs. */
  async alive({ setId, timeoutMs = 20000 }) {
    const set = getSet(setId);
    const msg = encode(set.kind, route(set.kind, set.routeName), payload('small'));
    let replies = 0;
    const open = set.conns.filter((c) => c.isOpen()).length;
    await new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      for (const c of set.conns) {
        c.onReply(() => {
          c.onReply(null);
          if (++replies === set.conns.length) {
            clearTimeout(t);
            resolve();
          }
        });
        if (c.isOpen()) c.send(msg);
      }
    });
    for (const c of set.conns) c.onReply(null);
    return { total: set.conns.length, open, replies };
  },

  /** Closed-loop handshakes: connect, wait until open, close, wait until closed, repeat. */
  async handshakes({ target, route: routeName, concurrency, durationMs }) {
    const t0 = now();
    let cycles = 0;
    let errors = 0;
    let lastError = null;
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const c = await connect(target.kind, target.port, routeName, 5000);
          await c.close(3000);
          if (running) cycles++;
        } catch (err) {
          errors++;
          lastError = String(err && err.message);
          if (errors > 50) return;
        }
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    await new Promise((r) => setTimeout(r, durationMs));
    running = false;
    const elapsedMs = now() - t0;
    await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 10000))]);
    return { cycles, elapsedMs, rate: (cycles * 1000) / elapsedMs, errors, lastError };
  },

  async stop() {
    await Promise.all([...sets.keys()].map((id) => handlers.close({ setId: id })));
  },
};

serveRpc(handlers);

sendReady({ pid: process.pid });
