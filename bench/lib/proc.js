'use strict';
// Child processes pinned to a CPU core, talking JSON over the IPC channel.
// Every child is tracked and killed when the runner exits, is signalled, or times out.

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const live = new Set();
let hasTaskset = null;

function tasksetAvailable() {
  if (hasTaskset === null) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      hasTaskset = true;
    } catch {
      hasTaskset = false;
    }
  }
  return hasTaskset;
}

class Child {
  constructor(name, proc, logFile) {
    this.name = name;
    this.proc = proc;
    this.pid = proc.pid;
    this.logFile = logFile;
    this.pending = new Map();
    this.nextId = 1;
    this.exited = false;
    this.tail = [];
    this.readyPromise = new Promise((resolve, reject) => {
      this._ready = resolve;
      this._fail = reject;
    });
    this.readyPromise.catch(() => {});
    proc.on('message', (m) => this._onMessage(m));
    proc.on('exit', (code, signal) => this._onExit(code, signal));
    proc.on('error', (err) => this._onExit(null, String(err)));
    const keep = (chunk) => {
      const lines = String(chunk).split('\n').filter(Boolean);
      this.tail.push(...lines);
      if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
      if (this.logStream) this.logStream.write(chunk);
    };
    if (logFile) this.logStream = fs.createWriteStream(logFile, { flags: 'a' });
    if (proc.stdout) proc.stdout.on('data', keep);
    if (proc.stderr) proc.stderr.on('data', keep);
  }

  _onMessage(m) {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') return this._ready(m);
    if (m.type === 'fatal') return this._fail(new Error(`${this.name}: ${m.error}`));
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${this.name}: ${m.error}`));
  }

  _onExit(code, signal) {
    if (this.exited) return;
    this.exited = true;
    live.delete(this);
    const why = `${this.name} exited (code ${code}, signal ${signal})\n  ${this.tail.slice(-12).join('\n  ')}`;
    this._fail(new Error(why));
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
    }
    this.pending.clear();
    if (this.logStream) this.logStream.end();
  }

  ready(timeoutMs) {
    return withTimeout(this.readyPromise, timeoutMs, `${this.name} did not become ready`);
  }

  /** Sends a command and waits for its answer (bounded by timeoutMs). */
  call(cmd, args = {}, timeoutMs = 30000) {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: '${cmd}' timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.proc.send({ id, cmd, ...args });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  /** Graceful stop (asks, then SIGTERM, then SIGKILL), bounded in time. */
  async stop(graceMs = 3000) {
    if (this.exited) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.call('stop', {}, graceMs).catch(() => {});
    const t1 = setTimeout(() => this.kill('SIGTERM'), graceMs);
    const t2 = setTimeout(() => this.kill('SIGKILL'), graceMs * 2);
    await exited;
    clearTimeout(t1);
    clearTimeout(t2);
  }

  kill(signal = 'SIGKILL') {
    if (this.exited) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/**
 * Starts `node [nodeArgs] script` pinned to `core` with an IPC channel.
 * stdout/stderr go to logFile (and the last lines are kept for error messages).
 */
function spawnPinned({ name, core, script, nodeArgs = [], env = {}, logFile, cwd }) {
  const nodeArgv = [...nodeArgs, script];
  const [cmd, argv] = tasksetAvailable()
    ? ['taskset', ['-c', String(core), process.execPath, ...nodeArgv]]
    : [process.execPath, nodeArgv];
  const proc = spawn(cmd, argv, {
    cwd: cwd || path.dirname(script),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  });
  const child = new Child(name, proc, logFile);
  live.add(child);
  if (priority.value) {
    try {
      require('os').setPriority(proc.pid, priority.value);
    } catch (err) {
      process.stderr.write(`bench: cannot set priority ${priority.value} on ${name}: ${err.message}\n`);
    }
  }
  return child;
}

// Optional scheduling priority (nice value) for every child, set by run.js --nice.
const priority = { value: 0 };
function setChildPriority(n) {
  priority.value = n;
}

function killAll(signal = 'SIGKILL') {
  for (const c of live) c.kill(signal);
}

let hooked = false;
/** Makes sure no child survives the runner, whatever way it ends. */
function installExitHooks(onSignal) {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping children\n`);
      if (onSignal) onSignal(sig);
      killAll('SIGKILL');
      process.exit(130);
    });
  }
}

module.exports = { spawnPinned, killAll, installExitHooks, tasksetAvailable, withTimeout, live, setChildPriority };
