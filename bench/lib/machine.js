'use strict';
// What the numbers were measured on.

const os = require('os');
const fs = require('fs');
const path = require('path');

function pkgVersion(name, from) {
  try {
    const p = require.resolve(`${name}/package.json`, { paths: [from] });
    return JSON.parse(fs.readFileSync(p, 'utf8')).version;
  } catch {
    return null;
  }
}

function describeMachine(benchDir, tasksetOk) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      ws: pkgVersion('ws', benchDir),
      'ws (library)': pkgVersion('ws', path.join(benchDir, '..')),
      'socket.io': pkgVersion('socket.io', benchDir),
      '@nestjs/core': pkgVersion('@nestjs/core', benchDir),
      '@nestjs/platform-ws': pkgVersion('@nestjs/platform-ws', benchDir),
      'class-validator': pkgVersion('class-validator', benchDir),
      'uWebSockets.js (@trufflesuite/uws-js-unofficial)': pkgVersion('@trufflesuite/uws-js-unofficial', benchDir),
    },
    pinning: tasksetOk ? 'servers on core 0, load generator on core 1 (taskset)' : 'taskset missing: not pinned',
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

module.exports = { describeMachine };
