'use strict';
// The bench-local build step: the NestJS and ws-endpoints peers are TypeScript (they need
// decorator metadata), compiled once by bench's own tsc into bench/build/ (gitignored).
// ws-endpoints itself is built at the repository root (`npm run build`) only when dist/ is
// missing. A peer that cannot be built is reported as n/a with the reason; nothing throws.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');
const DIST_INDEX = path.join(ROOT, 'dist/src/index.js');
const TSC = path.join(BENCH, 'node_modules/typescript/bin/tsc');

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function tail(text, lines = 12) {
  return String(text || '').trim().split('\n').slice(-lines).join('\n');
}

/** Builds the library at the root if dist is missing, then checks it exports bootstrap. */
function ensureLibrary(log) {
  if (!fs.existsSync(DIST_INDEX)) {
    log(`build: ${path.relative(process.cwd(), DIST_INDEX)} missing, running 'npm run build' at the root`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300000 });
    if (!fs.existsSync(DIST_INDEX)) {
      return `ws-endpoints is not built: 'npm run build' left no dist/src/index.js (${tail(r.stdout + r.stderr, 3) || r.error})`;
    }
  }
  const probe = spawnSync(
    process.execPath,
    ['-e', `const m = require(${JSON.stringify(DIST_INDEX)}); if (typeof m.bootstrap !== 'function') { console.error('no bootstrap export'); process.exit(3); }`],
    { cwd: ROOT, encoding: 'utf8', timeout: 60000 },
  );
  if (probe.status !== 0) {
    return `dist/src/index.js does not load or export bootstrap(): ${tail(probe.stderr, 3)}`;
  }
  return null;
}

function sourcesOf(peer) {
  const dir = path.join(BENCH, 'peers', peer);
  return fs.readdirSync(dir).map((f) => path.join(dir, f));
}

/** Compiles one peer unless its output is newer than its sources (and extra inputs). */
function compilePeer(peer, extraInputs, log) {
  const out = path.join(BENCH, 'build', peer, 'server.js');
  const newest = Math.max(...sourcesOf(peer).map(mtime), ...extraInputs.map(mtime), mtime(TSC));
  if (mtime(out) > newest) return null;
  if (!fs.existsSync(TSC)) return `typescript is not installed in bench/ (run 'npm install' in bench/)`;
  log(`build: compiling peers/${peer} with tsc`);
  fs.rmSync(path.join(BENCH, 'build', peer), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [TSC, '-p', path.join(BENCH, 'peers', peer, 'tsconfig.json')], {
    cwd: BENCH,
    encoding: 'utf8',
    timeout: 180000,
  });
  if (r.status !== 0) {
    fs.rmSync(path.join(BENCH, 'build', peer), { recursive: true, force: true });
    return `peers/${peer} does not compile:\n${tail(r.stdout + r.stderr, 8)}`;
  }
  return null;
}

/** Returns Map(serverId -> reason) of the servers that cannot run. */
function buildAll(log = (m) => process.stderr.write(`${m}\n`)) {
  const unavailable = new Map();
  const nest = compilePeer('nest', [], log);
  if (nest) unavailable.set('nest', nest);
  const lib = ensureLibrary(log);
  if (lib) unavailable.set('wse', lib);
  else {
    const wse = compilePeer('wse', [DIST_INDEX, path.join(ROOT, 'dist/src/index.d.ts')], log);
    if (wse) unavailable.set('wse', wse);
  }
  for (const [id, why] of unavailable) log(`build: ${id} n/a: ${why}`);
  return unavailable;
}

module.exports = { buildAll, ensureLibrary, DIST_INDEX };

if (require.main === module) {
  const u = buildAll();
  process.exitCode = u.size ? 1 : 0;
}
