#!/usr/bin/env node
'use strict';
// Instructions per 32 B pipelined echo, counted by callgrind: raw ws hand-corked against ws-endpoints
// builds. Instruction counts do not depend on what else the machine runs, so they show changes of 1-2%
// that timings on these shared machines cannot. GC work depends on when collections happen and is
// reported apart from the rest ("mutator").
// Usage: node bench/instructions/count.js [--handshake | --large SIZE [--binary]] [dist ...]
//   (default: the repository's dist; needs valgrind)
//   --handshake    instructions per handshake cycle (T7: upgrade, open, close) instead of per echo
//   --large SIZE   instructions per echo of one SIZE-byte ASCII text message (T3; --binary: binary), against
//                  plain raw ws (T3's baseline), the frames arriving in 64 KiB reads

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { CONNS, DEPTH } = require('./echo-server');
const { BATCH } = require('./handshake-server');
const { CONNS: LARGE_CONNS } = require('./large-echo-server');

const args = process.argv.slice(2);
const HANDSHAKE = args[0] === '--handshake';
if (HANDSHAKE) args.shift();
const LARGE = args[0] === '--large' ? Number(args[1]) : 0;
if (LARGE) args.splice(0, 2);
const BINARY = LARGE > 0 && args[0] === '--binary';
if (BINARY) args.shift();
if (args[0] === '--large' || args[0] === '--binary' || (LARGE !== 0 && !(LARGE > 0))) throw new Error('usage: count.js [--handshake | --large SIZE [--binary]] [dist ...]');
const SERVER = path.join(__dirname, HANDSHAKE ? 'handshake-server.js' : LARGE ? 'large-echo-server.js' : 'echo-server.js');
// Large messages: few enough that a run stays within minutes under valgrind.
const LOW = HANDSHAKE ? 20 : LARGE ? Math.max(4, Math.round((1 << 20) / LARGE)) : 100;
const HIGH = HANDSHAKE ? 60 : LARGE ? 3 * LOW : 300;
const PER_ITER = HANDSHAKE ? BATCH : LARGE ? LARGE_CONNS : CONNS * DEPTH;
const UNIT = HANDSHAKE ? 'handshake' : LARGE ? `${LARGE} B ${BINARY ? 'binary' : 'text'} message` : 'message';
// V8's deterministic mode: one thread, fixed seeds.
const NODE_ARGS = ['--single-threaded', '--predictable', '--hash-seed=1', '--random-seed=1'];
const GC = /Mark|Sweep|Scaveng|Evacuat|RememberedSet|heap::base|Marking|LiveObject|MigrateObject|MigratedSlot|IteratePointers|FreeList|BodyDescriptor|Pretenuring|SizeFromMap|Heap::|Unmapper|ArrayBufferSweeper|ConcurrentAllocator|MemoryAllocator|Page::|Compaction|ShouldVisit|GlobalHandles|CppMarking|Embedder/;

/** Total and GC instructions of one run. */
function run(which, iters) {
  const out = path.join(os.tmpdir(), `wse-callgrind-${process.pid}-${iters}.out`);
  try {
    execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...NODE_ARGS, SERVER, which], {
      env: { ...process.env, ITERS: String(iters), SIZE: String(LARGE), KIND: BINARY ? 'binary' : 'text' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const text = execFileSync('callgrind_annotate', ['--threshold=100', out], { encoding: 'utf8', maxBuffer: 1 << 28 });
    let total = 0;
    let gc = 0;
    for (const line of text.split('\n')) {
      const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
      if (!m || m[2].includes('PROGRAM TOTALS')) continue;
      const n = Number(m[1].replace(/,/g, ''));
      total += n;
      if (GC.test(m[2])) gc += n;
    }
    return { total, gc };
  } finally {
    for (const f of fs.readdirSync(os.tmpdir())) if (f.startsWith(path.basename(out))) fs.rmSync(path.join(os.tmpdir(), f), { force: true });
  }
}

function perMessage(which) {
  const a = run(which, LOW);
  const b = run(which, HIGH);
  const n = (HIGH - LOW) * PER_ITER;
  return { mutator: Math.round((b.total - b.gc - (a.total - a.gc)) / n), gc: Math.round((b.gc - a.gc) / n) };
}

const dists = args;
if (dists.length === 0) dists.push(path.resolve(__dirname, '../../dist'));
const raw = perMessage('raw');
console.log(`raw ws${HANDSHAKE || LARGE ? '' : ', hand-corked'}: ${raw.mutator} instructions per ${UNIT} (GC: ${raw.gc})`);
for (const d of dists) {
  const r = perMessage(d);
  console.log(`ws-endpoints ${d}: ${r.mutator} (GC: ${r.gc}), ${r.mutator - raw.mutator} above raw ws`);
}
