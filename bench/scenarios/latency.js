'use strict';
// T8: round-trip latency of a 32 B echo at 50% of raw ws's peak request/response rate
// (the same offered load for every server, measured open-loop).

const T8 = {
  id: 'T8',
  needs: 'echo',
  title: 'echo latency p50/p99 at 50% of raw ws peak (open loop, 50 connections)',
  target: '<= raw x 1.10 + 50 us (with write coalescing on)',
  servers: ['raw', 'raw-control', 'raw-corked', 'socketio', 'nest', 'wse', 'uws'],
  params: {
    quick: { conns: 50, load: 0.5, windowMs: 300, calibrateMs: 300 },
    full: { conns: 50, load: 0.5, windowMs: 2500, calibrateMs: 2000 },
  },
  metrics: [
    { key: 'p50us', label: 'p50 round trip', unit: 'us', better: 'lower' },
    { key: 'p99us', label: 'p99 round trip', unit: 'us', better: 'lower' },
  ],
  async prepare(ctx, p) {
    const o = await ctx.lg.call('open', { target: ctx.pool.target('raw'), route: 'echo', count: p.conns }, 60000);
    try {
      const args = { setId: o.setId, payload: 'small', depth: 1, durationMs: p.calibrateMs, cork: false };
      await ctx.lg.call('throughput', args, 60000); // warm-up
      const peak = await ctx.lg.call('throughput', args, 60000);
      this.rate = Math.round(peak.rate * p.load);
      ctx.log(`  T8: raw ws peak ${Math.round(peak.rate)} msg/s (request/response) -> offered load ${this.rate} msg/s`);
    } finally {
      await ctx.lg.call('close', { setId: o.setId }, 30000);
    }
  },
  async setup(ctx, serverId, p) {
    const o = await ctx.lg.call('open', { target: ctx.pool.target(serverId), route: 'echo', count: p.conns }, 60000);
    if (o.opened < p.conns) throw new Error(`opened ${o.opened}/${p.conns}: ${o.errors.join('; ')}`);
    return { setId: o.setId };
  },
  async measure(ctx, serverId, st, p) {
    const r = await ctx.lg.call(
      'latency',
      { setId: st.setId, payload: 'small', rate: this.rate, durationMs: p.windowMs },
      p.windowMs + 30000,
    );
    if (!r.drained) throw new Error('replies still missing 5 s after the window');
    return { p50us: r.p50us, p99us: r.p99us };
  },
  async teardown(ctx, serverId, st) {
    await ctx.lg.call('close', { setId: st.setId }, 30000);
  },
  async finish(ctx, p, out) {
    out.params = { ...p, offeredRate: this.rate };
  },
};

module.exports = { T8 };
