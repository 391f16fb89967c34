'use strict';
// Median/min/max summaries and per-round ratios against a reference server.

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summary(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (!s.length) return { median: null, min: null, max: null, n: 0 };
  return { median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length };
}

/** Ratios value[r] / ref[r] for the rounds where both exist. */
function roundRatios(values, ref) {
  const out = [];
  for (let i = 0; i < Math.min(values.length, ref.length); i++) {
    const a = values[i];
    const b = ref[i];
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b !== 0) {
      out.push(a / b);
    }
  }
  return out;
}

function round(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

module.exports = { median, summary, roundRatios, round };
