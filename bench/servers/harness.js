'use strict';
// Common life cycle of a benchmark server process: start, report {ready, port}, answer
// 'stats' (memory after GC) and 'stop' (graceful close, bounded) from the runner.

const { serveRpc, sendReady, sendFatal, memory } = require('../lib/child-rpc');

/**
 * @param {string} name
 * @param {() => Promise<{port: number, close: () => Promise<void>, info?: object}>} start
 */
function runServer(name, start) {
  process.title = `bench-${name}`;
  process.on('uncaughtException', (err) => {
    process.stderr.write(`[${name}] uncaught: ${err && err.stack}\n`);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`[${name}] unhandled rejection: ${err && err.stack}\n`);
  });
  let handle = null;
  serveRpc({
    stats: () => memory(),
    cpu: () => {
      const u = process.cpuUsage();
      return { us: u.user + u.system, at: Number(process.hrtime.bigint() / 1000n) };
    },
    stop: async () => {
      if (!handle) return;
      const timeout = new Promise((r) => setTimeout(r, 2000).unref());
      await Promise.race([Promise.resolve(handle.close()).catch(() => {}), timeout]);
    },
  });
  Promise.resolve()
    .then(start)
    .then((h) => {
      handle = h;
      sendReady({ port: h.port, info: h.info || {}, pid: process.pid });
    })
    .catch(sendFatal);
}

module.exports = { runServer };
