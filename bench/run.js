#!/usr/bin/env node
'use strict';
// Benchmark runner: `node bench/run.js` (quick) or `node bench/run.js --full`; see --help.
// Builds the TypeScript peers, starts every compared server pinned to core 0 and the load
// generator pinned to core 1, runs the scenarios, writes bench/results/<date>.json and
// regenerates docs/performance.md + docs/images/performance.svg. Children never outlive it.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs, HELP } = require('./lib/args');
const { spawnPinned, installExitHooks, killAll, tasksetAvailable, setChildPriority } = require('./lib/proc');
const { ServerPool, SERVERS, addBaseServer, firstLine, MALLOC_ENV, GC_ARGS } = require('./lib/servers');
const withBase = (sc) => (sc.servers.includes('wse') ? { ...sc, servers: [...sc.servers, 'wse-base'] } : sc);
const { runScenario } = require('./lib/rounds');
const { applyPriority } = require('./lib/priority');
const { describeMachine } = require('./lib/machine');
const { SCENARIOS, REPORT_ORDER } = require('./scenarios');
const { today, writeResults, writeDocs } = require('./report/results');

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');
const RESULTS = path.join(BENCH, 'results');
const LOGS = path.join(RESULTS, 'tmp-logs');

function log(m) {
  process.stdout.write(`${m}\n`);
}

function fmtCell(sc, id) {
  const s = sc.servers[id];
  if (!s) return null;
  if (s.na) return `${id} n/a`;
  const m = sc.metrics[0];
  const v = s.metrics[m.key];
  const abs = v && typeof v.median === 'number' ? (v.median >= 100 ? Math.round(v.median) : v.median.toFixed(2)) : '-';
  const r = v && v.ratio ? ` (${v.ratio.median.toFixed(2)}x)` : '';
  return `${id} ${abs}${r}`;
}

/** The machine's 1-minute load average through the run (other tenants share the cores). */
function sampleLoad() {
  const xs = [os.loadavg()[0]];
  const timer = setInterval(() => xs.push(os.loadavg()[0]), 10000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      xs.push(os.loadavg()[0]);
      const r = (x) => Math.round(x * 100) / 100;
      return {
        start: r(xs[0]),
        end: r(xs[xs.length - 1]),
        mean: r(xs.reduce((a, b) => a + b, 0) / xs.length),
        min: r(Math.min(...xs)),
        max: r(Math.max(...xs)),
        samples: xs.length,
      };
    },
  };
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n${HELP}\n`);
    process.exit(2);
  }
  if (args.help) {
    log(HELP);
    return;
  }
  if (!fs.existsSync(path.join(BENCH, 'node_modules', 'ws'))) {
    process.stderr.write("bench: bench/node_modules is missing: run 'npm install' in bench/ first\n");
    process.exit(2);
  }
  if (args.profile) process.env.BENCH_PROFILE = args.profile;
  if (args.base) {
    const base = path.resolve(args.base);
    if (!fs.existsSync(path.join(base, 'bench/build/wse/server.js'))) {
      process.stderr.write(`bench: --base ${base}: its wse peer is not built (cd ${base}/bench && npm ci && node build.js)\n`);
      process.exit(2);
    }
    addBaseServer(base);
    args.docs = false;
  }
  const reexec = applyPriority(args.nice, setChildPriority);
  if (reexec) process.exit(await reexec);
  installExitHooks();
  const budgetMs = (args.full ? 60 : 8) * 60000;
  const hardStop = setTimeout(() => {
    process.stderr.write(`bench: hard deadline of ${budgetMs / 60000} min reached, killing everything\n`);
    killAll();
    process.exit(3);
  }, budgetMs);
  hardStop.unref();

  const t0 = Date.now();
  const load = sampleLoad();
  fs.rmSync(LOGS, { recursive: true, force: true });
  fs.mkdirSync(LOGS, { recursive: true });
  const mode = args.full ? 'full' : 'quick';
  const scenarios = SCENARIOS.filter((s) => (args.only ? args.only.includes(s.id) : args.full || !s.fullOnly)).map((s) =>
    args.base ? withBase(s) : s,
  );
  log(`bench: ${mode} run of ${scenarios.map((s) => s.id).join(', ')}`);
  if (!tasksetAvailable()) log('bench: taskset not found: processes are NOT pinned to cores (figures will be noisier)');

  const { buildAll } = require('./build');
  const unavailable = buildAll(log);
  const serverIds = [...new Set(scenarios.flatMap((s) => s.servers))];
  const pool = new ServerPool({ unavailable, logDir: LOGS, appHeapMb: args.appHeap });
  const persistent = serverIds.filter((id) => scenarios.some((s) => !s.selfStarting && s.servers.includes(id)));
  await pool.start(persistent);
  log(`bench: servers running: ${[...pool.running.keys()].join(', ') || '(none)'}`);
  const lg = spawnPinned({
    name: 'loadgen',
    core: 1,
    script: path.join(BENCH, 'loadgen/main.js'),
    nodeArgs: ['--max-old-space-size=4096', ...GC_ARGS],
    env: MALLOC_ENV,
    logFile: path.join(LOGS, 'loadgen.log'),
    cwd: BENCH,
  });
  await lg.ready(15000);

  const ctx = {
    pool,
    lg,
    full: args.full,
    rounds: args.rounds || (args.full ? 7 : 5),
    verbose: args.verbose,
    serverIds,
    scenarioIds: scenarios.map((s) => s.id),
    logDir: LOGS,
    log,
  };
  const results = [];
  for (const sc of scenarios) {
    log(`${sc.id}: ${sc.title}`);
    let r;
    try {
      r = await runScenario(sc, ctx);
    } catch (err) {
      log(`  ${sc.id} failed: ${err.stack || err}`);
      r = { id: sc.id, title: sc.title, target: sc.target, error: firstLine(err.message) };
    }
    results.push(r);
    if (r.servers) {
      log(`  ${Object.keys(r.servers).map((id) => fmtCell(r, id)).filter(Boolean).join(' | ')}  [${r.seconds} s]`);
    }
  }
  if (ctx.bcastSets) for (const st of ctx.bcastSets.values()) await lg.call('close', { setId: st.setId }).catch(() => {});
  await lg.stop(3000);
  await pool.stopAll();

  const servers = {};
  for (const def of SERVERS) {
    if (!serverIds.includes(def.id)) continue;
    servers[def.id] = { label: def.label, kind: def.kind, available: !pool.reason(def.id), reason: pool.reason(def.id) || null };
  }
  const res = {
    date: today(),
    mode,
    rounds: ctx.rounds,
    nice: args.nice,
    appHeapMb: args.appHeap,
    machine: describeMachine(BENCH, tasksetAvailable()),
    durationSec: Math.round((Date.now() - t0) / 1000),
    servers,
    load: load.stop(),
    scenarios: results.sort((a, b) => REPORT_ORDER.indexOf(a.id) - REPORT_ORDER.indexOf(b.id)),
  };
  // A before/after run is a working measurement, kept out of the published results.
  const { file, merged } = writeResults(args.base ? path.join(RESULTS, 'tmp-base') : RESULTS, res);
  log(`bench: results in ${path.relative(process.cwd(), file)} (${res.durationSec} s)`);
  if (args.docs) {
    const written = writeDocs(ROOT, merged);
    log(`bench: wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  }
  clearTimeout(hardStop);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench: ${err.stack || err}\n`);
    killAll();
    process.exit(1);
  },
);
