'use strict';
// The measuring method: every compared server is already running (side by side on core 0);
// each round drives each server in turn, the order reversed every other round, after one
// untimed warm-up pass. Figures are summarised as median/min/max over rounds, and as
// per-round ratios to `raw` (the same round's raw measurement), summarised the same way.

const { withCpu } = require('./cpu');
const { summary, roundRatios, round } = require('./stats');
const { firstLine } = require('./servers');

const REFERENCE = 'raw';

function fmt(x) {
  if (typeof x !== 'number') return String(x);
  return Math.abs(x) >= 100 ? String(Math.round(x)) : String(round(x, 2));
}

/**
 * @param {object} sc   scenario module (see scenarios/index.js)
 * @param {object} ctx  {pool, lg, full, rounds, log, verbose}
 */
async function runScenario(sc, ctx) {
  const p = ctx.full ? sc.params.full : sc.params.quick;
  const rounds = sc.rounds || ctx.rounds;
  const started = Date.now();
  const out = { id: sc.id, title: sc.title, target: sc.target, params: p, rounds, servers: {}, notes: [] };
  const na = new Map();
  const states = new Map();
  const values = new Map(); // id -> metric -> []
  const cpu = new Map(); // id -> {server: [], loadgen: []}

  ctx.scPool = null;
  if (sc.prepare) await sc.prepare(ctx, p);
  const pool = () => ctx.scPool || ctx.pool;
  const ids = sc.servers.filter((id) => ctx.serverIds.includes(id));
  for (const id of ids) {
    const running = pool().get(id);
    const unsupported = running && running.info && running.info.unsupported;
    const reason =
      (sc.unsupported && sc.unsupported[id]) ||
      pool().reason(id) ||
      (unsupported && sc.needs && unsupported[sc.needs] && `cannot serve this yet: ${unsupported[sc.needs]}`);
    if (reason) na.set(id, reason);
    else if (!sc.selfStarting && !pool().get(id)) na.set(id, 'server not running');
  }
  const active = () => ids.filter((id) => !na.has(id));
  const fail = (id, phase, err) => {
    const msg = `${phase} failed: ${firstLine(err && err.message)}`;
    na.set(id, msg);
    ctx.log(`  ${sc.id} ${id}: ${msg}`);
    if (ctx.verbose && err && err.stack) ctx.log(err.stack);
  };

  for (const id of active()) {
    try {
      states.set(id, sc.setup ? await sc.setup(ctx, id, p) : {});
    } catch (err) {
      fail(id, 'setup', err);
    }
  }
  if (sc.warmup !== false) {
    for (const id of active()) {
      try {
        await sc.measure(ctx, id, states.get(id), p, -1);
      } catch (err) {
        fail(id, 'warm-up', err);
      }
    }
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? active().reverse() : active();
    const line = [];
    for (const id of order) {
      const running = pool().get(id);
      const pids = running ? [running.child.pid, ctx.lg.pid] : [ctx.lg.pid];
      try {
        const c0 = running ? await running.child.call('cpu', {}, 10000) : null;
        const [m, busy] = await withCpu(pids, () => sc.measure(ctx, id, states.get(id), p, r));
        const c1 = running ? await running.child.call('cpu', {}, 10000) : null;
        // Work per second of the server's own CPU time: robust when other tenants take CPU.
        if (c0 && c1) {
          const share = (c1.us - c0.us) / (c1.at - c0.at);
          for (const mt of sc.metrics) {
            if (!mt.perCpu || typeof m[mt.key] !== 'number' || !(share > 0) || !(m[mt.key] > 0)) continue;
            m[`${mt.key}PerCpu`] = m[mt.key] / share;
            m[`${mt.key}Cpu`] = (share * 1e6) / m[mt.key]; // server CPU microseconds per unit of work
          }
          m.serverCpuShare = share;
        }
        if (!values.has(id)) values.set(id, {});
        for (const [k, v] of Object.entries(m)) {
          if (!values.get(id)[k]) values.get(id)[k] = [];
          values.get(id)[k][r] = v;
        }
        if (!cpu.has(id)) cpu.set(id, { server: [], loadgen: [] });
        if (running) cpu.get(id).server.push(busy[running.child.pid]);
        cpu.get(id).loadgen.push(busy[ctx.lg.pid]);
        const main = sc.metrics[0].key;
        line.push(`${id} ${fmt(m[main])}`);
      } catch (err) {
        fail(id, `round ${r + 1}`, err);
      }
    }
    if (ctx.verbose) ctx.log(`  ${sc.id} round ${r + 1}: ${line.join(' | ')}`);
  }
  for (const id of ids) {
    if (!states.has(id) || !sc.teardown) continue;
    try {
      await sc.teardown(ctx, id, states.get(id), p);
    } catch (err) {
      ctx.log(`  ${sc.id} ${id}: teardown failed: ${firstLine(err.message)}`);
    }
  }
  if (sc.finish) await sc.finish(ctx, p, out);
  ctx.scPool = null;

  const ref = values.get(REFERENCE) || {};
  out.metrics = [];
  for (const m of sc.metrics) {
    out.metrics.push({ ...m });
    if (m.perCpu) {
      const what = m.label.replace(/:.*$/, '');
      const cpuLabel = what === m.label ? `server CPU per ${m.perCpu}` : `${what}: server CPU per ${m.perCpu}`;
      out.metrics.push({ key: `${m.key}Cpu`, label: cpuLabel, unit: 'µs', better: 'lower', derived: true });
      // Kept in the results file for the figures quoted from it; the table shows CPU per operation.
      out.metrics.push({ key: `${m.key}PerCpu`, label: `${m.label} per server CPU-second`, unit: m.unit, better: m.better, derived: true, hidden: true });
    }
  }
  for (const id of ids) {
    if (na.has(id) && !values.has(id)) {
      out.servers[id] = { na: na.get(id) };
      continue;
    }
    const v = values.get(id) || {};
    const entry = { metrics: {} };
    if (na.has(id)) entry.warning = na.get(id);
    for (const m of out.metrics) {
      const xs = v[m.key] || [];
      const s = summary(xs);
      const rr = roundRatios(xs, ref[m.key] || []);
      entry.metrics[m.key] = {
        ...roundAll(s),
        values: xs.map((x) => round(x)),
        ratio: rr.length && m.ratio !== false ? roundAll(summary(rr)) : null,
      };
    }
    const c = cpu.get(id);
    if (c) entry.cpu = { server: round(summary(c.server).median, 2), loadgen: round(summary(c.loadgen).median, 2) };
    if (v.serverCpuShare) entry.cpu = { ...(entry.cpu || {}), serverShare: round(summary(v.serverCpuShare).median, 2) };
    out.servers[id] = entry;
  }
  out.seconds = Math.round((Date.now() - started) / 100) / 10;
  return out;
}

function roundAll(s) {
  return { median: round(s.median, 4), min: round(s.min, 4), max: round(s.max, 4), n: s.n };
}

module.exports = { runScenario, REFERENCE };
