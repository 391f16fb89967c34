'use strict';
// T1a, T1b, T2, T3: closed-loop echo throughput over persistent connections.

const ALL = ['raw', 'raw-control', 'raw-corked', 'socketio', 'nest', 'wse', 'wse-nocoalesce', 'uws'];
const NO_CORKED = ['raw', 'raw-control', 'socketio', 'nest', 'wse', 'uws'];

function echoScenario({ id, title, target, servers, route, payload, conns, depth, metricLabel }) {
  return {
    id,
    title,
    target,
    servers,
    needs: route,
    params: {
      quick: { conns, depth, windowMs: 300, payload, route },
      full: { conns, depth, windowMs: 2000, payload, route },
    },
    metrics: [{ key: 'rate', label: metricLabel || 'messages/s', unit: 'msg/s', better: 'higher', perCpu: 'message' }],
    async setup(ctx, serverId, p) {
      const o = await ctx.lg.call('open', { target: ctx.pool.target(serverId), route: p.route, count: p.conns }, 60000);
      if (o.opened < p.conns) {
        await ctx.lg.call('close', { setId: o.setId });
        throw new Error(`opened ${o.opened}/${p.conns} connections: ${o.errors.join('; ')}`);
      }
      return { setId: o.setId };
    },
    async measure(ctx, serverId, st, p) {
      const r = await ctx.lg.call(
        'throughput',
        { setId: st.setId, payload: p.payload, depth: p.depth, durationMs: p.windowMs },
        p.windowMs + 30000,
      );
      if (!r.drained) throw new Error('replies still missing 5 s after the window (lost messages?)');
      return { rate: r.rate };
    },
    async teardown(ctx, serverId, st) {
      await ctx.lg.call('close', { setId: st.setId }, 30000);
    },
  };
}

const T1a = echoScenario({
  id: 'T1a',
  title: 'echo, 32 B text, pipelined (50 connections x 16 in flight)',
  target: '>= 1.5x raw ws; >= 0.90x raw ws hand-corked',
  servers: ALL,
  route: 'echo',
  payload: 'small',
  conns: 50,
  depth: 16,
});

// 'wse-pipeline', 'wse-traced': the same server with one guard and one interceptor, then with tracing too (issue #22).
const T1b = echoScenario({
  id: 'T1b',
  title: 'echo, 32 B text, request/response (50 connections x 1 in flight)',
  target: '>= 0.90x raw ws',
  servers: [...ALL, 'wse-pipeline', 'wse-traced'],
  route: 'echo',
  payload: 'small',
  conns: 50,
  depth: 1,
});

const T2 = echoScenario({
  id: 'T2',
  title: 'JSON message validated as a class-validator DTO, answered as JSON (50 x 1 in flight)',
  target: '>= 0.85x raw ws (hand-written parse + validateSync); >= 1.5x NestJS with ValidationPipe',
  servers: [...NO_CORKED, 'wse-pipeline', 'wse-traced'],
  route: 'json',
  payload: 'dto',
  conns: 50,
  depth: 1,
});

// T3 measures two sizes, binary and text, on the same connections in every round. Text is where a
// framework pays for decoding to a string and encoding it again; binary is passed through.
const T3_CASES = [
  { key: 'mb64k', label: '64 KiB binary: MiB/s', set: 0, payload: 'bin65536' },
  { key: 'mb1m', label: '1 MiB binary: MiB/s', set: 1, payload: 'bin1048576' },
  { key: 'tx64k', label: '64 KiB text: MiB/s', set: 0, payload: 'txt65536' },
  { key: 'tx1m', label: '1 MiB text: MiB/s', set: 1, payload: 'txt1048576' },
];
const T3 = {
  id: 'T3',
  title:
    'large messages echoed, binary and text: 64 KiB (8 connections x 4 in flight), 1 MiB (4 connections x 2 in flight)',
  target: '>= 0.95x raw ws (binary and text)',
  // 'wse-textmessage': the text handler takes a TextMessage (passed on undecoded) instead of a string.
  servers: [...NO_CORKED, 'wse-textmessage'],
  needs: 'echo',
  params: {
    // TCP buffer auto-tuning takes a while to open the windows of new connections: long warm-up.
    quick: { windowMs: 300, warmupMs: 400, conns: [8, 4], depth: [4, 2] },
    full: { windowMs: 2000, warmupMs: 3000, conns: [8, 4], depth: [4, 2] },
  },
  metrics: T3_CASES.map((c) => ({ key: c.key, label: c.label, unit: 'MiB/s', better: 'higher', perCpu: 'MiB' })),
  async setup(ctx, serverId, p) {
    const sets = [];
    for (const n of p.conns) {
      const o = await ctx.lg.call('open', { target: ctx.pool.target(serverId), route: 'big', count: n }, 60000);
      if (o.opened < n) throw new Error(`opened ${o.opened}/${n} connections: ${o.errors.join('; ')}`);
      sets.push(o.setId);
    }
    return { sets };
  },
  async measure(ctx, serverId, st, p, round) {
    const out = {};
    const durationMs = round < 0 ? p.warmupMs : p.windowMs;
    for (const c of T3_CASES) {
      const r = await ctx.lg.call(
        'throughput',
        { setId: st.sets[c.set], payload: c.payload, depth: p.depth[c.set], durationMs },
        durationMs + 30000,
      );
      if (!r.drained) throw new Error(`${c.payload} replies still missing 5 s after the window`);
      out[c.key] = r.bytesPerSec / 2 ** 20;
    }
    return out;
  },
  async teardown(ctx, serverId, st) {
    for (const setId of st.sets) await ctx.lg.call('close', { setId }, 30000);
  },
};

module.exports = { T1a, T1b, T2, T3 };
