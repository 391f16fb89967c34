'use strict';
// Command line: node bench/run.js [--full] [--only T1a,T4] [--rounds N] [--no-docs] [--verbose]

const SCENARIO_IDS = ['T1a', 'T1b', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'R1'];

function parseArgs(argv) {
  const o = { full: false, only: null, rounds: null, docs: true, verbose: false, help: false, nice: 0, base: null, appHeap: 16 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq !== -1) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--full') o.full = true;
    else if (a === '--quick') o.full = false;
    else if (a.startsWith('--only')) o.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--rounds')) o.rounds = Number(value());
    else if (a === '--no-docs') o.docs = false;
    else if (a.startsWith('--nice')) o.nice = Number(value());
    else if (a.startsWith('--profile')) o.profile = value();
    else if (a.startsWith('--base')) o.base = value();
    else if (a.startsWith('--app-heap')) o.appHeap = Number(value());
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown argument '${a}' (try --help)`);
  }
  if (o.only) {
    const lower = new Map(SCENARIO_IDS.map((id) => [id.toLowerCase(), id]));
    o.only = o.only.map((id) => {
      const known = lower.get(id.toLowerCase());
      if (!known) throw new Error(`unknown scenario '${id}' (known: ${SCENARIO_IDS.join(', ')})`);
      return known;
    });
  }
  if (!Number.isInteger(o.nice) || o.nice < -20 || o.nice > 19) throw new Error('--nice must be an integer -20..19');
  if (!(Number.isInteger(o.appHeap) && o.appHeap >= 0 && o.appHeap <= 1024)) throw new Error('--app-heap must be an integer 0..1024 (MB)');
  if (o.rounds !== null && !(o.rounds >= 1 && o.rounds <= 50)) throw new Error('--rounds must be 1..50');
  return o;
}

const HELP = `usage: node bench/run.js [options]      (npm run bench from the repository root)
  --full            long windows, more rounds, and T6 (19,000 idle connections)
  --only T1a,T4     run only these scenarios (${SCENARIO_IDS.join(', ')})
  --rounds N        rounds per scenario (default 5 quick, 7 full)
  --nice N          run servers and load generator at this nice value (e.g. -10 on a busy shared
                    machine, needs root; it slows everything else on the machine while it runs)
  --profile wse     write a V8 CPU profile of these servers (comma-separated ids) into
                    bench/results/tmp-logs/ (open it in Chrome DevTools)
  --base DIR        also run ws-endpoints from another checkout DIR (its bench built: cd DIR/bench &&
                    npm ci && node build.js) as 'wse-base', beside 'wse': before/after in one run.
                    Results go to results/tmp-base/<date>.json; docs are not rewritten
  --app-heap MB     live application objects every server holds in the throughput and latency
                    scenarios (default 16; T5 and T6 always run bare). 0: bare processes, whose
                    7-10 MB heaps meet V8's bimodal GC heuristics (see docs/performance.md)
  --no-docs         do not rewrite docs/performance.md and docs/images/performance.svg
  --verbose         print every measurement
Results: bench/results/<date>.json; logs of the child processes: bench/results/tmp-logs/`;

module.exports = { parseArgs, HELP, SCENARIO_IDS };
