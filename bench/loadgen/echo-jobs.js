'use strict';
// Echo workloads over an open set of connections:
//   throughput  closed loop, `depth` messages in flight per connection (T1a, T1b, T2, T3)
//   latency     open loop at a fixed offered rate, round-trip per message (T8)
// Both stop sending at their deadline and wait (bounded) for in-flight replies, so the
// next round starts on quiet connections.

const { performance } = require('perf_hooks');

const now = () => performance.now();

// Client-side write coalescing: the load generator corks each socket on its first write of
// an event-loop turn, so one core of client can keep a fast server busy.
const corked = [];
let flushScheduled = false;
function flush() {
  flushScheduled = false;
  for (let i = 0; i < corked.length; i++) {
    corked[i].lgCorked = false;
    corked[i].uncork();
  }
  corked.length = 0;
}
function corkedSend(conn, msg) {
  const s = conn.socket();
  if (s && !s.lgCorked) {
    s.lgCorked = true;
    s.cork();
    corked.push(s);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  conn.send(msg);
}

function waitDrain(getInflight, drainMs) {
  return new Promise((resolve) => {
    const t0 = now();
    const check = () => {
      if (getInflight() <= 0) return resolve(true);
      if (now() - t0 > drainMs) return resolve(false);
      setTimeout(check, 5);
    };
    check();
  });
}

/** Closed-loop echo. Returns {replies, elapsedMs, drained}. */
async function throughput(conns, msg, { depth, durationMs, drainMs = 5000, cork = true }) {
  const send = cork ? corkedSend : (c, m) => c.send(m);
  let replies = 0;
  let inflight = 0;
  let running = true;
  for (const c of conns) {
    c.onReply(() => {
      inflight--;
      if (!running) return;
      replies++;
      inflight++;
      send(c, msg);
    });
  }
  const t0 = now();
  for (const c of conns) {
    for (let i = 0; i < depth; i++) {
      inflight++;
      send(c, msg);
    }
  }
  await new Promise((r) => setTimeout(r, durationMs));
  running = false;
  const elapsedMs = now() - t0;
  const counted = replies;
  const drained = await waitDrain(() => inflight, drainMs);
  for (const c of conns) c.onReply(null);
  return { replies: counted, elapsedMs, rate: (counted * 1000) / elapsedMs, drained };
}

/**
 * Open-loop echo at `rate` messages/s spread round-robin over the connections.
 * Round trips are matched FIFO per connection (echo keeps order).
 */
async function latency(conns, msg, { rate, durationMs, drainMs = 5000, maxSamples = 2e6 }) {
  const n = conns.length;
  const queues = conns.map(() => []);
  const heads = new Array(n).fill(0);
  const samples = new Float64Array(Math.min(maxSamples, Math.ceil((rate * durationMs) / 1000) + n + 16));
  let count = 0;
  let inflight = 0;
  let dropped = 0;
  conns.forEach((c, i) => {
    c.onReply(() => {
      const q = queues[i];
      const sentAt = q[heads[i]++];
      if (heads[i] > 1024 && heads[i] * 2 > q.length) {
        q.splice(0, heads[i]);
        heads[i] = 0;
      }
      inflight--;
      if (count < samples.length) samples[count++] = now() - sentAt;
      else dropped++;
    });
  });
  const t0 = now();
  let sent = 0;
  let rr = 0;
  const maxBurst = Math.max(1, Math.ceil(rate / 1000)); // never more than 1 ms worth at once
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      if (t - t0 >= durationMs) return resolve();
      let due = Math.floor(((t - t0) * rate) / 1000) - sent;
      if (due > maxBurst) due = maxBurst;
      for (let k = 0; k < due; k++) {
        const i = rr;
        rr = rr + 1 === n ? 0 : rr + 1;
        queues[i].push(now());
        inflight++;
        sent++;
        conns[i].send(msg);
      }
      setImmediate(tick);
    };
    tick();
  });
  const elapsedMs = now() - t0;
  const drained = await waitDrain(() => inflight, drainMs);
  for (const c of conns) c.onReply(null);
  const s = Array.from(samples.subarray(0, count)).sort((a, b) => a - b);
  const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] * 1000 : null);
  return {
    sent,
    received: count,
    offeredRate: (sent * 1000) / elapsedMs,
    p50us: pct(0.5),
    p90us: pct(0.9),
    p99us: pct(0.99),
    maxUs: s.length ? s[s.length - 1] * 1000 : null,
    drained,
    dropped,
  };
}

module.exports = { throughput, latency };
