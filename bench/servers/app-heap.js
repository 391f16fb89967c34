'use strict';
// Preloaded (node -r) into every server of the scenarios that measure throughput and latency: keeps
// BENCH_APP_HEAP_MB of live application objects (records with strings, numbers and arrays, indexed by a
// Map), as a service's own state would. Without it every server is a 7-10 MB heap, and V8's GC
// heuristics for heaps just above 8 MB are bimodal: the same server process may run 1 MiB echo with one
// mark-compact in 15 s or with one every 150 ms, decided by a few hundred KB of module code (measured:
// the same wse peer, copied to another path, 1 or 13-15 mark-compacts in 6 s). Every compared server,
// raw ws included, gets the same heap; --app-heap 0 runs them bare.

const mb = Number(process.env.BENCH_APP_HEAP_MB || 0);
if (mb > 0) {
  // About 240 bytes of heap per record (object, two strings, array of three numbers, Map entry).
  const records = Math.round((mb * 1024 * 1024) / 240);
  const byId = new Map();
  for (let i = 0; i < records; i++) {
    const id = `user-${i.toString(36)}`;
    byId.set(id, { id, name: `name ${i}`, visits: i % 1000, scores: [i % 7, i % 11, i % 13] });
  }
  globalThis.__benchAppHeap = byId;
}
