'use strict';
// bench/results/<date>.json: read, merge (a partial --only run updates a same-day, same-mode
// file), write; and the docs regenerated from it.

const fs = require('fs');
const path = require('path');
const { render } = require('./markdown');

function today() {
  return new Date().toISOString().slice(0, 10);
}

function mergeResults(file, res) {
  if (!fs.existsSync(file)) return res;
  let old;
  try {
    old = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return res;
  }
  if (old.mode !== res.mode) return res;
  // A run that replaces every scenario of the file is the whole file (its run time is its own).
  const rerun = new Set(res.scenarios.map((s) => s.id));
  if (old.scenarios.every((s) => rerun.has(s.id))) return res;
  const byId = new Map(old.scenarios.map((s) => [s.id, s]));
  for (const s of res.scenarios) byId.set(s.id, s);
  const { REPORT_ORDER: order } = require('../scenarios');
  const scenarios = [...byId.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  // Run time of every run merged into the file, not only the last (an --only T6 rerun took 55 s of a 22 min file).
  const durationSec = (old.durationSec || 0) + res.durationSec;
  // The load the file reports is that of its first run, the one most of its scenarios come from.
  const load = old.load || res.load;
  // Likewise its method: a --nice of the first run stays described.
  const nice = old.nice || res.nice;
  return { ...res, durationSec, load, nice, servers: { ...old.servers, ...res.servers }, scenarios, merged: true };
}

function writeResults(resultsDir, res) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const name = `${res.date}${res.mode === 'full' ? '-full' : ''}.json`;
  const file = path.join(resultsDir, name);
  const merged = mergeResults(file, { ...res, file: name });
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return { file, merged };
}

function writeDocs(rootDir, res) {
  const docs = path.join(rootDir, 'docs');
  fs.mkdirSync(path.join(docs, 'images'), { recursive: true });
  const { markdown, svg } = render(res, { chartPath: 'images/performance.svg' });
  fs.writeFileSync(path.join(docs, 'performance.md'), markdown);
  fs.writeFileSync(path.join(docs, 'images', 'performance.svg'), svg);
  return [path.join(docs, 'performance.md'), path.join(docs, 'images', 'performance.svg')];
}

module.exports = { today, writeResults, writeDocs };
