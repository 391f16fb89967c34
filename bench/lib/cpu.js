'use strict';
// CPU time of a process from /proc (Linux), to tell whether a measurement was server-bound:
// the driven server should be near 100% of its core and the load generator below it.

const fs = require('fs');

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
  } catch {
    return null;
  }
}

/** Runs fn() and returns [result, {pid: busy fraction}] for the given pids. */
async function withCpu(pids, fn) {
  const t0 = Date.now();
  const before = pids.map(cpuMs);
  const result = await fn();
  const wall = Date.now() - t0;
  const busy = {};
  pids.forEach((pid, i) => {
    const after = cpuMs(pid);
    busy[pid] = before[i] === null || after === null || wall <= 0 ? null : (after - before[i]) / wall;
  });
  return [result, busy];
}

module.exports = { cpuMs, withCpu };
