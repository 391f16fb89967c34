'use strict';
// T4 broadcast throughput and T9 one stalled consumer among 1,000.

const T4 = {
  id: 'T4',
  needs: 'bcast',
  title: 'broadcast of a 4 KiB text message to 1,000 sessions (16 broadcasts in flight)',
  target: '>= 1.15x naive per-socket loop (raw); >= 0.95x hand pre-framed; >= 1.3x socket.io',
  servers: ['raw', 'raw-control', 'raw-corked', 'raw-preframed', 'socketio', 'nest', 'wse', 'uws'],
  params: {
    quick: { sessions: 1000, window: 16, windowMs: 350 },
    full: { sessions: 1000, window: 16, windowMs: 2500 },
  },
  metrics: [{ key: 'rate', label: 'broadcasts/s (each to 1,000 sessions)', unit: 'bcast/s', better: 'higher', perCpu: 'broadcast' }],
  async setup(ctx, serverId, p) {
    const o = await ctx.lg.call(
      'open',
      { target: ctx.pool.target(serverId), route: 'bcast', count: p.sessions, concurrency: 64 },
      90000,
    );
    if (o.opened < p.sessions) {
      await ctx.lg.call('close', { setId: o.setId });
      throw new Error(`opened ${o.opened}/${p.sessions} sessions: ${o.errors.join('; ')}`);
    }
    return { setId: o.setId };
  },
  async measure(ctx, serverId, st, p) {
    const r = await ctx.lg.call(
      'broadcast',
      { setId: st.setId, durationMs: p.windowMs, window: p.window },
      p.windowMs + 30000,
    );
    if (!r.drained) throw new Error('broadcasts still incomplete 10 s after the window');
    return { rate: r.rate };
  },
  async teardown(ctx, serverId, st) {
    // T9 goes on with the same 1,000 sessions when it runs too (saves re-opening them).
    if (ctx.scenarioIds.includes('T9') && T9.servers.includes(serverId)) {
      ctx.bcastSets = ctx.bcastSets || new Map();
      ctx.bcastSets.set(serverId, st);
      return;
    }
    await ctx.lg.call('close', { setId: st.setId }, 30000);
  },
};

const MB = 2 ** 20;
const T9 = {
  id: 'T9',
  needs: 'bcast',
  title:
    'broadcast (4 KiB) to 1,000 reading sessions: phase A alone, phase B with one more session that never ' +
    'reads; memory growth only shows once kernel socket buffers are full (a few MiB: use --full)',
  target: 'server memory bounded; the other sessions >= 0.90 of normal',
  servers: ['raw', 'raw-control', 'socketio', 'nest', 'wse', 'uws'],
  params: {
    quick: { sessions: 1000, window: 16, phaseAms: 250, phaseBms: 250 },
    full: { sessions: 1000, window: 16, phaseAms: 2000, phaseBms: 8000 },
  },
  metrics: [
    { key: 'others', label: 'others: phase B rate / phase A rate', unit: 'x', better: 'higher', ratio: false },
    { key: 'growthMB', label: 'server heap+external growth in phase B', unit: 'MiB', better: 'lower', ratio: false },
    { key: 'rssGrowthMB', label: 'server RSS growth in phase B', unit: 'MiB', better: 'lower', ratio: false },
  ],
  warmup: false, // T4 warmed the same sessions up, or setup's first broadcast does
  async setup(ctx, serverId, p) {
    const kept = ctx.bcastSets && ctx.bcastSets.get(serverId);
    if (kept) {
      ctx.bcastSets.delete(serverId);
      return kept;
    }
    const st = await T4.setup(ctx, serverId, p);
    await ctx.lg.call('broadcast', { setId: st.setId, durationMs: p.phaseAms, window: p.window }, 60000);
    return st;
  },
  async teardown(ctx, serverId, st) {
    await ctx.lg.call('close', { setId: st.setId }, 30000);
  },
  async measure(ctx, serverId, st, p) {
    const pool = ctx.pool;
    try {
      const a = await ctx.lg.call('broadcast', { setId: st.setId, durationMs: p.phaseAms, window: p.window }, 60000);
      const before = await pool.stats(serverId);
      await ctx.lg.call('victim', { setId: st.setId, action: 'open' });
      const b = await ctx.lg.call('broadcast', { setId: st.setId, durationMs: p.phaseBms, window: p.window }, 60000);
      const after = await pool.stats(serverId);
      if (!a.drained || !b.drained) throw new Error('broadcasts to the reading sessions did not complete');
      return {
        others: b.rate / a.rate,
        growthMB: (after.heapUsed + after.external - before.heapUsed - before.external) / MB,
        rssGrowthMB: (after.rss - before.rss) / MB,
      };
    } finally {
      await ctx.lg.call('victim', { setId: st.setId, action: 'close' });
    }
  },
};

module.exports = { T4, T9 };
