'use strict';
// T5 idle connection memory, T6 19,000 idle connections in one process, T7 handshakes/s.

const { ServerPool } = require('../lib/servers');

const KB = 1024;
const MB = 2 ** 20;
const IDLE_SERVERS = ['raw', 'raw-control', 'socketio', 'nest', 'wse', 'uws'];

// T5 runs on fresh server processes (memory freed by earlier scenarios would hide RSS growth);
// every round adds one batch of idle connections and reads memory after GC.
const T5 = {
  id: 'T5',
  needs: 'echo',
  title: 'idle connection memory: per-connection heap and RSS growth, after GC (fresh processes)',
  target: '<= raw + 2 KB heap and + 3 KB RSS per connection',
  servers: IDLE_SERVERS,
  params: {
    quick: { batch: 250 },
    full: { batch: 350 }, // 5 servers x 8 batches stay open: the load generator's fd limit is 20,000
  },
  metrics: [
    { key: 'heapKB', label: 'heap per idle connection', unit: 'KB', better: 'lower' },
    { key: 'rssKB', label: 'RSS per idle connection', unit: 'KB', better: 'lower' },
  ],
  async prepare(ctx) {
    ctx.scPool = new ServerPool({ unavailable: ctx.pool.unavailable, logDir: ctx.logDir, tag: '-t5' });
    await ctx.scPool.start(this.servers.filter((id) => ctx.serverIds.includes(id) && !ctx.pool.reason(id)));
  },
  async setup(ctx, serverId) {
    return { sets: [], last: await ctx.scPool.stats(serverId) };
  },
  async measure(ctx, serverId, st, p) {
    const o = await ctx.lg.call(
      'open',
      { target: ctx.scPool.target(serverId), route: 'echo', count: p.batch, concurrency: 32 },
      120000,
    );
    st.sets.push(o.setId);
    if (o.opened < p.batch) throw new Error(`opened ${o.opened}/${p.batch}: ${o.errors.join('; ')}`);
    await new Promise((r) => setTimeout(r, 50)); // let the last handshakes finish server side
    const now = await ctx.scPool.stats(serverId);
    const d = { heapKB: (now.heapUsed - st.last.heapUsed) / KB / p.batch, rssKB: (now.rss - st.last.rss) / KB / p.batch };
    st.last = now;
    return d;
  },
  async teardown(ctx, serverId, st) {
    for (const setId of st.sets) await ctx.lg.call('close', { setId }, 120000);
  },
  async finish(ctx) {
    await ctx.scPool.stopAll();
  },
};

// T6: one server at a time, each in a fresh process; one round.
const T6 = {
  id: 'T6',
  needs: 'echo',
  title: '19,000 idle connections in one process (fd limit 20,000): heap after GC, all alive',
  target: 'heap <= 150 MB, all alive',
  servers: ['raw', 'socketio', 'nest', 'wse', 'uws'],
  fullOnly: true,
  selfStarting: true,
  rounds: 1,
  warmup: false,
  params: {
    quick: { conns: 19000 },
    full: { conns: 19000 },
  },
  metrics: [
    { key: 'heapMB', label: 'heap used', unit: 'MB', better: 'lower' },
    { key: 'rssMB', label: 'RSS', unit: 'MB', better: 'lower' },
    { key: 'alive', label: 'connections answering an echo', unit: 'conns', better: 'higher', ratio: false },
  ],
  async measure(ctx, serverId, st, p) {
    const pool = new ServerPool({ unavailable: ctx.pool.unavailable, logDir: ctx.logDir, tag: '-t6' });
    ctx.scPool = pool;
    let setId = null;
    try {
      await pool.start([serverId]);
      if (!pool.get(serverId)) throw new Error(pool.reason(serverId));
      const o = await ctx.lg.call(
        'open',
        { target: pool.target(serverId), route: 'echo', count: p.conns, concurrency: 128, deadlineMs: 240000 },
        260000,
      );
      setId = o.setId;
      const alive = await ctx.lg.call('alive', { setId, timeoutMs: 60000 }, 90000);
      // Said out loud: a server refusing connections (e.g. a connection cap) still reports its heap.
      if (alive.replies < p.conns) {
        ctx.log(`  T6 ${serverId}: only ${alive.replies} of ${p.conns} connections alive (opened ${o.opened}${o.errors.length ? `: ${o.errors[0]}` : ''})`);
      }
      const m = await pool.stats(serverId);
      return { heapMB: m.heapUsed / MB, rssMB: m.rss / MB, alive: alive.replies };
    } finally {
      if (setId !== null) await ctx.lg.call('close', { setId }, 240000).catch(() => {});
      await pool.stopAll();
      ctx.scPool = null;
    }
  },
};

const T7 = {
  id: 'T7',
  needs: 'echo',
  title: 'handshakes per second: connect, open (endpoint instantiated), close; 32 concurrent',
  target: '>= 0.85x raw ws',
  servers: IDLE_SERVERS,
  params: {
    quick: { concurrency: 32, windowMs: 300 },
    full: { concurrency: 32, windowMs: 2000 },
  },
  metrics: [{ key: 'rate', label: 'handshake cycles/s', unit: '/s', better: 'higher', perCpu: 'handshake' }],
  async measure(ctx, serverId, st, p) {
    const r = await ctx.lg.call(
      'handshakes',
      { target: ctx.pool.target(serverId), route: 'echo', concurrency: p.concurrency, durationMs: p.windowMs },
      p.windowMs + 30000,
    );
    if (r.errors > 0) throw new Error(`${r.errors} failed handshakes: ${r.lastError}`);
    return { rate: r.rate };
  },
};

module.exports = { T5, T6, T7 };
