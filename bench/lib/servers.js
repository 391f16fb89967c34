'use strict';
// The compared servers: what they are, how to start them (pinned to core 0), and a pool
// that runs a set of them at the same time and asks them for memory readings.

const path = require('path');
const { spawnPinned } = require('./proc');

const BENCH = path.resolve(__dirname, '..');
const SERVER_CORE = 0;

const RAW = path.join(BENCH, 'servers/raw.js');
const SERVERS = [
  { id: 'raw', label: 'raw ws', kind: 'ws', script: RAW, env: { BENCH_RAW_MODE: 'plain' } },
  { id: 'raw-control', label: 'raw ws (control)', kind: 'ws', script: RAW, env: { BENCH_RAW_MODE: 'plain' } },
  { id: 'raw-corked', label: 'raw ws, hand-corked', kind: 'ws', script: RAW, env: { BENCH_RAW_MODE: 'corked' } },
  {
    id: 'raw-preframed',
    label: 'raw ws, pre-framed broadcast',
    kind: 'ws',
    script: RAW,
    env: { BENCH_RAW_MODE: 'preframed' },
  },
  { id: 'socketio', label: 'socket.io 4.8', kind: 'sio', script: path.join(BENCH, 'servers/socketio.js') },
  { id: 'nest', label: 'NestJS 12 gateway', kind: 'nest', script: path.join(BENCH, 'build/nest/server.js'), build: 'nest' },
  { id: 'wse', label: 'ws-endpoints', kind: 'ws', script: path.join(BENCH, 'build/wse/server.js'), build: 'wse' },
  {
    id: 'wse-nocoalesce',
    label: 'ws-endpoints, coalesceWrites: false',
    kind: 'ws',
    script: path.join(BENCH, 'build/wse/server.js'),
    build: 'wse',
    env: { BENCH_WSE_COALESCE: '0' },
  },
  {
    id: 'wse-textmessage',
    label: 'ws-endpoints, TextMessage handler',
    kind: 'ws',
    script: path.join(BENCH, 'build/wse/server.js'),
    build: 'wse',
    env: { BENCH_WSE_TEXT: 'message' },
  },
  {
    id: 'wse-pipeline',
    label: 'ws-endpoints, 1 guard + 1 interceptor',
    kind: 'ws',
    script: path.join(BENCH, 'build/wse/server.js'),
    build: 'wse',
    env: { BENCH_WSE_PIPELINE: '1' },
  },
  {
    id: 'wse-traced',
    label: 'ws-endpoints, 1 guard + 1 interceptor + tracing (OpenTelemetry SDK)',
    kind: 'ws',
    script: path.join(BENCH, 'build/wse/server.js'),
    build: 'wse',
    env: { BENCH_WSE_PIPELINE: '1', BENCH_WSE_TRACING: '1' },
  },
  { id: 'uws', label: 'uWebSockets.js (upper bound)', kind: 'ws', script: path.join(BENCH, 'servers/uws.js') },
];

// glibc's dynamic mmap threshold makes large-buffer workloads bimodal: a process that happens
// to mmap/munmap every 64 KiB-1 MiB Buffer runs 2-4x slower than an identical one that does
// not. Fixed thresholds give every process the same (heap) allocation path.
const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '8388608', MALLOC_TRIM_THRESHOLD_: '67108864' };
// V8 sweeps dead ArrayBuffers on a helper thread. Pinned to one core with a busy main thread, that
// thread falls behind, V8 sees the external memory it has not yet subtracted and starts a mark-compact
// every ~35 ms ("external memory pressure"): 64 KiB echo at half speed for the rest of the process's life,
// in whichever process tips over first (measured: 81-211 mark-compacts against 1 with this flag). On one
// core a helper thread cannot add throughput anyway, so every process collects on its own thread.
// BENCH_V8_DEFAULT_GC=1 measures with V8's default threads.
const GC_ARGS = process.env.BENCH_V8_DEFAULT_GC ? [] : ['--single-threaded-gc'];
const BY_ID = new Map(SERVERS.map((s) => [s.id, s]));
const APP_HEAP = path.join(__dirname, '../servers/app-heap.js');

/** --base DIR: the same wse peer built in another checkout, as 'wse-base' (before/after in one run). */
function addBaseServer(dir) {
  const def = { id: 'wse-base', label: `ws-endpoints at ${dir}`, kind: 'ws', script: path.join(dir, 'bench/build/wse/server.js') };
  SERVERS.push(def);
  BY_ID.set(def.id, def);
}

function serverDef(id) {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown server '${id}'`);
  return def;
}

/** --profile ID (BENCH_PROFILE=ID): that server writes a .cpuprofile into the log directory. */
function profileArgs(id, logDir) {
  const want = (process.env.BENCH_PROFILE || '').split(',');
  return want.includes(id) ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, `--cpu-prof-name=${id}-${Date.now()}.cpuprofile`] : [];
}

class ServerPool {
  /**
   * @param {object} opts
   * @param {Map<string,string>} opts.unavailable  server id -> reason (e.g. build failed)
   * @param {string} opts.logDir  where each server's stdout/stderr goes
   * @param {number} [opts.appHeapMb]  live application objects every server holds (servers/app-heap.js)
   */
  constructor({ unavailable, logDir, tag = '', appHeapMb = 0 }) {
    this.unavailable = unavailable;
    this.appHeapMb = appHeapMb;
    this.logDir = logDir;
    this.tag = tag;
    this.running = new Map(); // id -> {def, child, port}
    this.failed = new Map(); // id -> reason
  }

  /** Starts the given servers side by side; those that fail are recorded, not thrown. */
  async start(ids) {
    const todo = ids.filter((id) => !this.running.has(id) && !this.reason(id));
    const started = todo.map((id) => {
      const def = serverDef(id);
      const child = spawnPinned({
        name: `${id}${this.tag}`,
        core: SERVER_CORE,
        script: def.script,
        nodeArgs: ['--expose-gc', ...GC_ARGS, ...(this.appHeapMb > 0 ? ['-r', APP_HEAP] : []), ...profileArgs(id, this.logDir)],
        env: {
          ...(process.env.BENCH_NO_MALLOC_ENV ? {} : MALLOC_ENV),
          ...(def.env || {}),
          BENCH_SERVER_NAME: id,
          BENCH_APP_HEAP_MB: String(this.appHeapMb),
        },
        logFile: path.join(this.logDir, `server-${id}${this.tag}.log`),
        cwd: BENCH,
      });
      return child.ready(30000).then(
        (msg) => this.running.set(id, { def, child, port: msg.port, info: msg.info }),
        (err) => {
          child.kill();
          this.failed.set(id, `did not start: ${firstLine(err.message)}`);
          process.stderr.write(`bench: server ${id} failed to start:\n${err.message}\n`);
        },
      );
    });
    await Promise.all(started);
  }

  /** Why a server is not available (undefined when it is running or can be started). */
  reason(id) {
    const def = BY_ID.get(id);
    return this.unavailable.get(id) || (def && def.build && this.unavailable.get(def.build)) || this.failed.get(id);
  }

  get(id) {
    return this.running.get(id);
  }

  target(id) {
    const s = this.running.get(id);
    if (!s) throw new Error(`server ${id} is not running`);
    return { id, kind: s.def.kind, port: s.port };
  }

  async stats(id) {
    return this.running.get(id).child.call('stats', {}, 20000);
  }

  async stopAll() {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((s) => s.child.stop(2000)));
  }
}

function firstLine(s) {
  return String(s).split('\n').find((l) => l.trim()) || String(s);
}

module.exports = { SERVERS, addBaseServer, serverDef, ServerPool, firstLine, MALLOC_ENV, GC_ARGS };
