'use strict';
// The "Why it is fast" section of docs/performance.md: the design choices that keep ws-endpoints
// close to raw ws, each with the figures of the results file it is generated from.

/** Median ratio to raw ws of a server in a scenario, or null. */
function ratio(res, scenario, server, key) {
  const sc = res.scenarios.find((s) => s.id === scenario);
  const v = sc && sc.servers && sc.servers[server] && sc.servers[server].metrics && sc.servers[server].metrics[key];
  return v && v.ratio && typeof v.ratio.median === 'number' ? v.ratio.median : null;
}

/** Median over rounds of a / b for two servers of the same run (e.g. wse against hand-corked raw ws). */
function between(res, scenario, a, b, key) {
  const sc = res.scenarios.find((s) => s.id === scenario);
  const va = sc && sc.servers && sc.servers[a] && sc.servers[a].metrics && sc.servers[a].metrics[key];
  const vb = sc && sc.servers && sc.servers[b] && sc.servers[b].metrics && sc.servers[b].metrics[key];
  if (!va || !vb || !va.values || !vb.values || va.values.length !== vb.values.length) return null;
  const r = va.values.map((x, i) => x / vb.values[i]).sort((x, y) => x - y);
  const n = r.length;
  return n % 2 ? r[(n - 1) / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

function x(v) {
  return typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a';
}

/** Lines of markdown. */
function whyFast(res) {
  const t1a = ratio(res, 'T1a', 'wse', 'rate');
  const t1aOff = ratio(res, 'T1a', 'wse-nocoalesce', 'rate');
  const t1aCorked = between(res, 'T1a', 'wse', 'raw-corked', 'ratePerCpu');
  const t1b = ratio(res, 'T1b', 'wse', 'ratePerCpu');
  const t2 = ratio(res, 'T2', 'wse', 'rate');
  const t4 = ratio(res, 'T4', 'wse', 'rate');
  const t4pre = between(res, 'T4', 'wse', 'raw-preframed', 'rate');
  const t5 = ratio(res, 'T5', 'wse', 'heapKB');
  const t7 = ratio(res, 'T7', 'wse', 'rate');
  const t3k = ratio(res, 'T3', 'wse', 'mb64k');
  const t3m = ratio(res, 'T3', 'wse', 'mb1m');
  const t3tk = ratio(res, 'T3', 'wse', 'tx64k');
  const t3tm = ratio(res, 'T3', 'wse', 'tx1m');
  const t3lk = ratio(res, 'T3', 'wse-textmessage', 'tx64k');
  const t3lm = ratio(res, 'T3', 'wse-textmessage', 'tx1m');
  return [
    '## Why it is fast',
    '',
    'Figures in this section come from the run above unless they say otherwise; "tuning" figures were',
    'measured with the same method (servers side by side on one core, ratios within a run), the code before',
    'a change running beside the code after it (`npm run bench -- --base <other checkout>`), while the hot',
    'paths were profiled (`--profile wse`).',
    '',
    '- **Compiled endpoints, no per-message reflection.** Decorators only record metadata. `bootstrap()`',
    '  reads it once into an immutable model: per handler, the class\'s method, the shape of its parameter',
    '  list and a payload decoder chosen from the declared type. Handlers that take the payload and/or the',
    '  `Session` (nearly every `@OnMessage`) are called directly with them; other parameter lists go through',
    '  compiled resolvers (`@PathParam`, `CloseReason`, …). `reflect-metadata` is never called after',
    '  bootstrap. Arrays read per message are not frozen: Node 20\'s optimizing compiler does not inline',
    '  indexed loads from frozen arrays (about 200 instructions per echo for the transport\'s option sets).',
    '- **One ordered queue per session, used only when needed.** A message that reaches an idle session is',
    '  handled at once; messages that arrive while a handler is still running (an async one holds the',
    '  queue) wait in the session\'s queue and run in arrival order, a batch per microtask (scheduled',
    '  through a settled promise: Node\'s `queueMicrotask` allocates an async resource per call and cost',
    '  three times as much). Synchronous handlers never allocate a promise.',
    `- **Write coalescing.** A session's sends go to \`ws\` into a socket corked until the end of the`,
    '  event-loop turn: the replies to everything read in a turn, and the turn\'s broadcasts, leave in one',
    '  `writev` per socket. A send that finds its session\'s queue empty is handed over at once (no queue',
    '  entry, no flush pass; an Async handle awaited afterwards asks the transport whether the turn\'s write',
    '  has left and waits for it if not); sends queue behind anything already queued, and while the reader',
    '  is behind. A final frame of at most 1 KiB on a connection without compression is written as one',
    '  buffer, header and payload (ws\'s `Sender` writes a header and a payload, and each socket write costs',
    '  more than copying a small payload); larger or fragmented messages go through `ws`\'s `Sender`, called',
    '  with one shared option set per connection kind instead of `ws.send()` building one per message.',
    '  Messages are taken from ws\'s receiver directly, not from ws\'s second emit on the WebSocket.',
    '  A frame of 64 KiB or more uncorks its socket at once, together with what the turn corked before it:',
    '  held to the end of the turn it saved no write worth having, and its buffer lived long enough to be',
    '  promoted, so that V8 freed it only in a mark-compact (1 MiB echo in a full T3 run: 58 mark-compacts',
    `  in 171 s against raw ws\'s 16, and 0.89× raw ws; after: ${x(t3m)} in the run above).`,
    `  Pipelined echo (T1a): ${x(t1a)} raw ws, ${x(t1aOff)} with \`coalesceWrites: false\`, and ${x(t1aCorked)}`,
    '  of hand-corked raw ws per server CPU-second. The hand-corked server echoes the bytes it read; the',
    '  typed API decodes each text message to a string for the handler (about 450 instructions of a 32 B',
    '  echo, counted with callgrind on an in-process server). Counted the same way: raw ws 6,680',
    '  instructions per echo; ws-endpoints 7,780 before the one-buffer frames and the receiver listener,',
    '  7,030 after.',
    '- **UTF-8 checked while decoding.** ws\'s own check of text messages is off for server connections;',
    '  a `string` handler\'s text is checked as it is decoded: a replacing decode that produced no U+FFFD',
    '  was valid, so only text containing one is checked again (a quarter of the cost of a separate check).',
    '  Invalid text still closes with 1007, and close-frame reasons are still checked.',
    '- **Text sent on is not encoded again.** While a `string` handler\'s synchronous part runs, the',
    '  framework keeps the decoded string and the frame\'s bytes; a send of that same string (an echo, a',
    '  returned reply, a relay loop over a room) hands `ws` the received bytes, already checked as UTF-8.',
    '  Bytes that are a small view of a large socket read are copied if they have to be held for a slow',
    '  reader (held, they would keep the whole read alive). Tuning: server CPU per 32 B echo from 2.18 to',
    '  1.96 µs; reusing the queue\'s entry array instead of truncating it after every flush, 1.86 to',
    '  1.73 µs; together 0.74× to 0.81× hand-corked raw ws per server CPU-second in one full `--base` run.',
    '  Then, counted in instructions above raw ws\'s own per 32 B echo (callgrind, deterministic where',
    '  timings on these machines are not): 2,230 before the direct calls, the UTF-8 check while decoding,',
    '  direct sends and unfrozen option sets, 1,100 after. In one full `--base` T1a run beside the build',
    '  from before them: 1.23× its throughput and 1.35× its messages per server CPU-second; against',
    '  hand-corked raw ws, 0.86× (before: 0.75×).',
    `  Request/response (T1b): ${x(t1b)} raw ws per server CPU-second. Tuning: uncorking as soon as a batch`,
    '  was answered (the earlier design) measured worse for request/response, not better: leaving the',
    '  socket corked to the end of the turn took T2 from 0.68× to 1.56× raw ws and T1b from 0.65× to',
    '  1.03× in one run (the peer gets its replies in bursts and both sides wake up less per message), and',
    '  T8 latency stayed in target.',
    '- **Backpressure that tells a slow reader from a busy turn.** A session\'s queue holds messages only',
    '  while bytes from earlier event-loop turns are still unsent beyond `outbound.highWaterMark`; what the',
    '  current turn corked leaves at its end. Counting those bytes too (the earlier design) let a session',
    `  write one 64 KiB message per turn to a reader that kept up. T3: ${x(t3k)} raw ws at 64 KiB, ${x(t3m)}`,
    '  at 1 MiB. Tuning: 0.86× to 0.99× at 64 KiB in one full run (1 MiB unchanged).',
    `- **DTO validation without a promise per message.** class-validator's \`validate()\` always returns a`,
    '  promise, which made every DTO message wait a microtask round trip. The framework runs',
    '  class-validator\'s own executor and awaits only when a validator actually returned a promise (async',
    `  constraints keep working). T2: ${x(t2)} raw ws (a hand-written server calling \`validateSync\`).`,
    '- **Lazy completion tracking.** `getAsyncRemote().send*()` returns a handle that allocates a promise',
    '  and registers a `ws` write callback only when somebody awaits it; Basic sends (awaited by',
    '  definition) pay for it. A promise plus a write callback on every send cost about 15% here.',
    `- **Pre-framed broadcast.** \`Broadcaster.broadcast()\` frames a message once and writes the same`,
    '  bytes to every member\'s socket (through each member\'s outbound queue, so order and backpressure',
    '  hold); all the queues a broadcast touches are flushed by one microtask, not one per session.',
    `  T4: ${x(t4)} raw ws's per-socket loop, ${x(t4pre)} of hand pre-framed raw ws.`,
    '- **Cheap connections.** The endpoint class is instantiated with `new` when its constructor takes no',
    '  parameters, the configurator keeps the default `getEndpointInstance` and the class is not',
    '  registered in the container; otherwise a per-connection child container resolves it (so `Session`',
    '  and the principal can be injected). Session ids are a per-process random prefix and a counter, not',
    '  a `randomUUID()` each; closures that only backpressure, send timeouts or async handlers need are',
    '  created on first use. An idle session keeps its request headers as one packed string until',
    '  `getRequestHeaders()` is called, the connection slot and the 1009 reason need no per-connection',
    '  listener or closure, and the heartbeat keeps integer times (no boxed doubles).',
    `  Handshakes (T7): ${x(t7)} raw ws; idle heap per connection (T5): ${x(t5)} raw ws. Tuning: the`,
    '  connection changes moved handshakes from 0.65× to 0.77× raw ws; the memory changes moved an idle',
    '  connection from raw ws + 2.1 KB to raw ws + 1.2 KB of heap (heap snapshots, 6,000 connections).',
    '  Issue 23: no error object, promise or closure per connection unless something fails or asks',
    '  (closing built a `SessionClosedError` with its stack trace every time; an endpoint without',
    '  `@OnOpen`/`@OnClose` now queues no job for them); idle sessions share empty job and entry arrays,',
    '  create the drain function and invocation context on first use, hold their connection slot as socket',
    '  properties and drop Node\'s cached peer-address object. Same-run `--base` figures: server CPU per',
    '  handshake 0.92× of the build before (1.09× raw ws, was 1.15×; callgrind: 1,026k to 973k',
    '  instructions per handshake cycle, raw ws 756k); idle heap raw ws + 0.91 KB (was + 1.29 KB).',
    '  Then: the default `modifyHandshake` costs no header map, closure or outcome object; the socket',
    '  gets no `error` listener of its own while the upgrade completes in the same call (ws listens from',
    '  its `handleUpgrade` on); close, pong and error reach the session from the server\'s WebSocket class',
    '  (`emit`) instead of three listeners per connection; the in-memory broker records no presence, so',
    '  no change object is built per open, join, leave and close (`BrokerSubscription.tracksPresence`);',
    '  the session id string is built when first asked for. One same-run `--base` T7 run (load average',
    '  8): server CPU per handshake 1.14× raw ws, the build before 1.18×; T5 (heap after GC, fresh',
    '  processes): raw ws + 0.89 KB per idle connection, the build before + 0.97 KB.',
    '- **Large text as a rope.** Text of 128 KiB or more is decoded in 64 KiB pieces joined with `+`:',
    '  V8 keeps a cons string of young, ordinary strings and flattens it only when something reads the',
    '  characters. An echo or a relay never does (the send takes the received bytes), so a 1 MiB message',
    '  costs one copy into strings a scavenge frees. Decoded whole it was one large-object string, or',
    '  for ASCII of 1 MB or more a Node external string, whose malloc\'d bytes V8 counts towards a',
    '  mark-compact: 21 mark-compacts per 300 echoes of 1 MiB text against raw ws\'s 1 (16 MB',
    '  application heap). Text of 4 KiB or more is first checked for ASCII (a vectorised scan), and',
    '  ASCII is copied as Latin-1 instead of going through V8\'s UTF-8 decoder (64 KiB: 6-7 µs',
    '  instead of 9-11 µs). Server CPU per 1 MiB text echo (`bench/instructions/large-echo-server.js`,',
    '  fake sockets, the bench\'s GC settings): raw ws 400-460 µs, before 900-1,200 µs (2.25-2.6×),',
    '  after 460-610 µs (1.15-1.35×). A handler that reads the text pays the flattening copy once.',
    '',
    '## Where ws-endpoints stays behind, and why',
    '',
    '- **Large text in a `string` handler (T3).** A `string` handler needs the text as a JavaScript',
    '  string, and no JavaScript string can share the received bytes: decoding is one copy of the message',
    '  (as a rope of short-lived pieces from 128 KiB, see above) plus an ASCII scan, about 6 µs per 64 KiB',
    '  and 60-100 µs per MiB, where raw ws only checks the bytes as UTF-8 (callgrind, 64 KiB text echo:',
    '  86,000 instructions above raw ws, 65,000 of them that copy, counted a byte each; binary 29,000). The copy alone is',
    '  about a sixth of raw ws\'s CPU for the whole 64 KiB echo, so a `string` handler cannot reach 0.95×',
    `  raw ws: ${x(t3tk)} at 64 KiB and ${x(t3tm)} at 1 MiB in the run above. A handler that passes text on`,
    '  takes a `TextMessage` instead (docs/endpoints.md): the bytes are checked as UTF-8 (as raw ws does),',
    '  sent on as they are, and decoded only if the handler reads `message.text`. Same run, same echo:',
    `  ${x(t3lk)} raw ws at 64 KiB and ${x(t3lm)} at 1 MiB (column \`wse-textmessage\`).`,
    '- **Against uWebSockets.js (T1a).** uWS parses frames and writes sockets in C++. Profile of the',
    '  32 B pipelined echo (`bench/instructions/echo-server.js`, 50 connections × 16 in flight, fake',
    '  sockets, V8 CPU profile of 2.4 M messages): ws\'s receiver (frame parsing, `consume` copying each',
    '  payload out of the socket read) 29% of samples, Buffer allocation 10%, Node\'s stream layer 6%,',
    '  the garbage collector 5%, event loop and EventEmitter 3%: about 55% belongs to `ws` and Node',
    '  below the framework, and hand-corked raw ws spends its time the same way (receiver 36%, buffers',
    '  15%, streams 11%, sender 9%). The framework\'s own JavaScript is 19% (dispatch, the outbound',
    '  queue, one-buffer frames), the UTF-8 decode of each message 11% (`Buffer#toString` and its native',
    '  part), the fake sockets and start-up the rest. Counted in instructions, ws-endpoints needs 1.06×',
    '  hand-corked raw ws per message; hand-corked raw ws itself needs about 2× uWS\'s CPU per message',
    '  (full run: 0.29× against 0.14× raw ws). So the 1.5× target cannot be met on `ws`: it needs a',
    '  C++ frame parser and socket layer, as uWS has. The `ws-endpoints',
    '  ÷ uWS` column is that distance; the CPU rows show it per operation.',
    '',
  ];
}

module.exports = { whyFast };
