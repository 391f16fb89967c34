// Load generator run as a child process (the server under test keeps its own core). Plain JS so it
// needs no build step. Forked with IPC: each message is a phase config, answered with its summary, so
// one process serves the warm-up and the measured phases.
//
// echo:      every client sends `messages` sequence-numbered texts and expects each echoed back.
// broadcast: the first `publishers` clients send `messages` texts in total; every client expects all
//            of them, in order per publisher, exactly once.
import WebSocket from "ws";

async function runPhase(cfg) {
  const { url, mode, clients, messages, window = 64, connectConcurrency = 100, deadlineMs = 120_000 } = cfg;
  const publishers = mode === "broadcast" ? Math.min(cfg.publishers ?? 10, clients) : clients;
  const perPublisher = mode === "broadcast" ? Math.ceil(messages / publishers) : messages;
  const expectedPerClient = mode === "broadcast" ? perPublisher * publishers : messages;

  const started = Date.now();
  const stats = { connected: 0, received: 0, duplicates: 0, reordered: 0, corrupt: 0, errors: [], closeCodes: {} };
  const peers = [];

  function note(error) {
    if (stats.errors.length < 10) stats.errors.push(String(error?.message ?? error));
  }

  class Peer {
    constructor(id) {
      this.id = id;
      this.sent = 0;
      this.acked = 0; // own messages seen back (flow control)
      this.count = 0;
      // Per sender: highest sequence seen, and which ones were seen (exactly-once check).
      this.last = new Int32Array(mode === "broadcast" ? publishers : 1).fill(-1);
      this.seen = new Uint8Array((mode === "broadcast" ? publishers : 1) * perPublisher);
      this.done = false;
    }

    open() {
      return new Promise((resolve) => {
        const ws = new WebSocket(url);
        this.ws = ws;
        ws.on("open", () => {
          stats.connected++;
          resolve(true);
        });
        ws.on("error", (e) => {
          note(e);
          resolve(false);
        });
        ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
        this.closed = new Promise((r) =>
          ws.on("close", (code) => {
            stats.closeCodes[code] = (stats.closeCodes[code] ?? 0) + 1;
            r();
          }),
        );
      });
    }

    isPublisher() {
      return mode === "echo" || this.id < publishers;
    }

    pump() {
      if (!this.isPublisher()) return;
      while (this.sent < perPublisher && this.sent - this.acked < window) {
        this.ws.send(`${this.id}:${this.sent++}`);
      }
    }

    onMessage(data, isBinary) {
      const text = data.toString();
      const colon = text.indexOf(":");
      const from = Number(text.slice(0, colon));
      const seq = Number(text.slice(colon + 1));
      if (isBinary || colon < 1 || !Number.isInteger(from) || !Number.isInteger(seq) || seq < 0 || seq >= perPublisher) {
        stats.corrupt++;
        return;
      }
      const slot = mode === "broadcast" ? from : 0;
      if ((mode === "echo" && from !== this.id) || slot >= publishers) {
        stats.corrupt++;
        return;
      }
      const bit = slot * perPublisher + seq;
      if (this.seen[bit]) stats.duplicates++;
      else {
        this.seen[bit] = 1;
        this.count++;
        stats.received++;
      }
      if (seq !== this.last[slot] + 1) stats.reordered++;
      this.last[slot] = Math.max(this.last[slot], seq);
      if (from === this.id) {
        this.acked++;
        this.pump();
      }
      if (this.count === expectedPerClient && !this.done) {
        this.done = true;
        finished++;
        if (finished === peers.length) allReceived();
      }
    }
  }

  let finished = 0;
  let allReceived;
  const received = new Promise((r) => (allReceived = r));

  async function connectAll() {
    let next = 0;
    async function worker() {
      while (next < clients) {
        const p = new Peer(next++);
        if (await p.open()) peers.push(p);
      }
    }
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, clients) }, worker));
  }

  const deadline = new Promise((r) => setTimeout(() => r("deadline"), deadlineMs).unref());

  async function main() {
    await Promise.race([connectAll(), deadline]);
    const connectedMs = Date.now() - started;
    for (const p of peers) p.pump();
    const outcome = await Promise.race([received.then(() => "ok"), deadline]);
    const exchangedMs = Date.now() - started - connectedMs;
    for (const p of peers) p.ws.close(1000, "done");
    await Promise.race([Promise.all(peers.map((p) => p.closed)), deadline]);
    const expected = peers.length * expectedPerClient;
    const summary = {
      mode,
      clients,
      connected: stats.connected,
      messagesPerClient: expectedPerClient,
      expected,
      received: stats.received,
      lost: expected - stats.received + (clients - peers.length) * expectedPerClient,
      duplicates: stats.duplicates,
      reordered: stats.reordered,
      corrupt: stats.corrupt,
      closeCodes: stats.closeCodes,
      errors: stats.errors,
      timedOut: outcome !== "ok",
      connectMs: connectedMs,
      exchangeMs: exchangedMs,
      totalMs: Date.now() - started,
    };
    return summary;
  }
  return main();
}

process.on("message", (cfg) => {
  runPhase(cfg).then(
    (summary) => process.send(summary),
    (e) => process.send({ fatal: String(e?.stack ?? e) }),
  );
});
