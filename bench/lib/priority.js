'use strict';
// --nice N: on Linux with scheduler autogroups (kernel.sched_autogroup_enabled=1) a plain nice
// value only counts inside the caller's session, so the runner re-executes itself as the
// leader of a new session and sets that session's autogroup nice value; the servers and the
// load generator inherit it. The autogroup disappears with the run, so the caller's shell keeps
// its own priority. Without autogroups, every child gets the nice value (setpriority).

const fs = require('fs');
const { spawn } = require('child_process');

const MARK = 'BENCH_SESSION_NICE';

function autogroupsEnabled() {
  try {
    return fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * Returns null when the current process should go on running the benchmark, or a promise of
 * the exit code of the re-executed run (the caller then exits with it).
 * @param {number} nice
 * @param {(n: number) => void} setChildPriority  fallback for kernels without autogroups
 */
function applyPriority(nice, setChildPriority) {
  if (!nice) return null;
  if (!autogroupsEnabled()) {
    setChildPriority(nice);
    return null;
  }
  if (process.env[MARK] === String(nice)) {
    fs.writeFileSync('/proc/self/autogroup', String(nice));
    return null;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true, // setsid(): a new session, hence a new autogroup
    env: { ...process.env, [MARK]: String(nice) },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      try {
        process.kill(child.pid, sig);
      } catch {
        /* gone */
      }
    });
  }
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code === null ? (signal ? 130 : 1) : code)));
}

module.exports = { applyPriority };
