'use strict';
// The reliability section of docs/performance.md: scenario R1 (bench/scenarios/reliability.js), each
// reliability mode against its plain mode, as ratios measured in the same round.

function fixed(x, digits) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function abs(v, unit) {
  if (!v || typeof v.median !== 'number') return '–';
  const x = v.median;
  const s = x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(2);
  return `${s} ${unit}`;
}

/** Median of the per-round ratios, and small, their min–max. */
function ratio(v) {
  if (!v || typeof v.median !== 'number') return 'n/a';
  return `**${fixed(v.median, 2)}×** <sub>${fixed(v.min, 2)}–${fixed(v.max, 2)}</sub>`;
}

function reliabilitySection(res) {
  const sc = res.scenarios.find((s) => s.id === 'R1');
  if (!sc) return [];
  const L = ['## Reliability modes (R1)', ''];
  const entry = sc.servers && sc.servers['wse-reliability'];
  if (sc.error || !entry || entry.na) {
    L.push(`R1 failed in this run: ${sc.error || (entry && entry.na) || 'no figures'}.`, '');
    return L;
  }
  const m = entry.metrics;
  L.push(
    'What session recovery and at-least-once delivery cost against the plain modes, in the same run: each ' +
      'round measures the plain mode and the reliable one back to back, and the cells are the median of the ' +
      'per-round ratios (min–max over rounds, small). Echo: 50 connections pipelining 32-byte texts (16 in ' +
      'flight each), and one connection for the round trip; clients of a recovery server ask for a recoverable ' +
      'session, so every reply is numbered and stored. Cross-node broadcast: node A publishes 128-byte texts to a ' +
      'room (64 unanswered at most), one client of node B receives; latency is publish call → client, paced one ' +
      'a millisecond. Redis is a private redis-server on loopback. See docs/reliability.md for what each mode ' +
      'guarantees.',
  );
  L.push('');
  L.push('| mode | throughput | ÷ plain | CPU per message | ÷ plain | latency | ÷ plain |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  L.push(`| echo, recovery off | ${abs(m.plainRate, 'msg/s')} | 1.00× | ${abs(m.plainCpu, 'µs')} | 1.00× | ${abs(m.plainRtt, 'µs')} median round trip | 1.00× |`);
  L.push(`| echo, recovery on, memory store | | ${ratio(m.memoryRate)} | | ${ratio(m.memoryCpu)} | | ${ratio(m.memoryRtt)} |`);
  L.push(`| echo, recovery on, Redis store | | ${ratio(m.redisRate)} | | ${ratio(m.redisCpu)} | | ${ratio(m.redisRtt)} |`);
  L.push(`| cross-node broadcast, \`"pub-sub"\` | ${abs(m.pubsubRate, 'msg/s')} | 1.00× | ${abs(m.pubsubCpu, 'µs')} | 1.00× | p50 ${abs(m.pubsubP50, 'ms')}, p99 ${abs(m.pubsubP99, 'ms')} | 1.00× |`);
  L.push(`| cross-node broadcast, \`"at-least-once"\` | | ${ratio(m.aloRate)} | | ${ratio(m.aloCpu)} | | p50 ${ratio(m.aloP50)}, p99 ${ratio(m.aloP99)} |`);
  L.push('');
  L.push(
    'CPU per message is the server process\'s own CPU time (`process.cpuUsage`) over the messages of the window ' +
      '(for the broadcast: both nodes and the receiving client, which share one process; Redis\'s CPU is not in ' +
      'it). Other tenants of the machine disturb it far less than throughput: trust it when the two disagree.',
  );
  L.push('');
  const bytes = m.streamBytesPerEntry;
  if (bytes && typeof bytes.median === 'number') {
    L.push(`At-least-once keeps each broadcast in a Redis stream: ${Math.round(bytes.median)} bytes of Redis memory per 128-byte message.`);
    L.push('');
  }
  L.push(`${sc.rounds} rounds, ${sc.seconds} s. Reproduce: \`npm run bench -- --only R1\` (quick windows) or \`npm run bench -- --full --only R1\`.`);
  L.push('');
  return L;
}

module.exports = { reliabilitySection };
