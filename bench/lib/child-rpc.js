'use strict';
// The child side of lib/proc.js: answers {id, cmd, ...} messages from the runner.
// A child exits by itself when the runner goes away (IPC channel closed).

function serveRpc(handlers) {
  if (typeof process.send !== 'function') {
    throw new Error('this script is started by bench/run.js (it needs an IPC channel)');
  }
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m) => {
    if (!m || typeof m !== 'object' || m.id === undefined) return;
    const handler = handlers[m.cmd];
    let reply;
    try {
      if (!handler) throw new Error(`unknown command '${m.cmd}'`);
      const result = await handler(m);
      reply = { id: m.id, ok: true, result: result === undefined ? null : result };
    } catch (err) {
      reply = { id: m.id, ok: false, error: err && err.stack ? err.stack : String(err) };
    }
    if (process.connected) process.send(reply);
    if (m.cmd === 'stop' && reply.ok) setImmediate(() => process.exit(0));
  });
}

function sendReady(info) {
  process.send({ type: 'ready', ...info });
}

function sendFatal(err) {
  if (process.connected) process.send({ type: 'fatal', error: err && err.stack ? err.stack : String(err) });
  setTimeout(() => process.exit(1), 50);
}

/** Memory after two full GCs (servers run with --expose-gc). */
function memory() {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    handles: typeof process._getActiveHandles === 'function' ? process._getActiveHandles().length : null,
  };
}

module.exports = { serveRpc, sendReady, sendFatal, memory };
