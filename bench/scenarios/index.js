'use strict';
// Every scenario, in report order. A scenario module has:
//   id, title, target, servers (ids), params {quick, full}, metrics [{key,label,unit,better,ratio?}]
//   setup(ctx, id, params) -> state, measure(ctx, id, state, params, round) -> {metric: value},
//   teardown(ctx, id, state), optional prepare(ctx, params) / finish(ctx, params, out),
//   rounds (fixed count), warmup (false to skip), fullOnly, selfStarting, unsupported {id: reason}.

const { T1a, T1b, T2, T3 } = require('./echo');
const { T4, T9 } = require('./broadcast');
const { T5, T6, T7 } = require('./connections');
const { T8 } = require('./latency');
const { R1 } = require('./reliability');

// Execution order: T9 right after T4 (it reuses T4's 1,000 sessions), T6 last (19,000 sockets).
// R1 (reliability modes against plain ones) has its own section of the report.
const SCENARIOS = [T1a, T1b, T2, T3, T4, T9, T5, T7, T8, R1, T6];
const REPORT_ORDER = ['T1a', 'T1b', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'R1'];

module.exports = { SCENARIOS, REPORT_ORDER };
