// In-process dispatch cost of the message paths (no sockets, so a loaded machine disturbs it less than the
// echo benchmark): N messages through the real dispatcher and in-memory transport per batch, builds and
// paths interleaved, order reversed every other round, median of rounds.
// Usage: npm run build && node bench/codecs-dispatch.cjs [mainDist]
"use strict";
require("reflect-metadata");
const path = require("node:path");

const BATCH = 20_000;
const ROUNDS = Number(process.env.ROUNDS ?? 12);

function endpoints(dist) {
  const ws = require(`${dist}/src/index.js`);
  const { EndpointHarness } = require(`${dist}/src/testing/index.js`);
  const { IsString, MaxLength } = require("class-validator");
  const decorate = (d, t, k) => Reflect.decorate(d, t, k, k === undefined ? undefined : Object.getOwnPropertyDescriptor(t, k));
  const make = (name, method, paramType, options) => {
    const E = { [name]: class { [method](m) { return paramType === String ? m : { type: "chat", text: m.text }; } } }[name];
    decorate([ws.OnMessage(options), Reflect.metadata("design:paramtypes", [paramType])], E.prototype, method);
    decorate([ws.ServerEndpoint(`/${name}`)], E);
    return E;
  };
  class Chat {}
  decorate([IsString(), MaxLength(500)], Chat.prototype, "text");
  return { ws, EndpointHarness, String: make("StringEcho", "text", String), Dto: make("DtoEcho", "chat", Chat, { type: "chat" }) };
}

async function run(conn, payload) {
  const memory = conn.session.memory;
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) memory.peerSend(payload);
  await conn.settled();
  const ns = Number(process.hrtime.bigint() - start);
  memory.sent.length = 0;
  return (BATCH / ns) * 1e9;
}

async function main() {
  const builds = [["this branch", path.join(__dirname, "..", "dist")]];
  if (process.argv[2]) builds.push(["main", path.resolve(process.argv[2])]);
  const cases = [];
  for (const [label, dist] of builds) {
    const e = endpoints(dist);
    cases.push({ name: `string handler (${label})`, conn: await e.EndpointHarness.create(e.String).connect(), payload: "hello from the load generator" });
    if (label === "this branch") {
      cases.push({ name: "typed DTO handler (this branch)", conn: await e.EndpointHarness.create(e.Dto).connect(), payload: JSON.stringify({ type: "chat", text: "hello" }) });
    }
  }
  const rates = cases.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = cases.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) rates[i].push(await run(cases[i].conn, cases[i].payload));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = median(rates[0]);
  console.table(cases.map((c, i) => ({ name: c.name, msgsPerSec: Math.round(median(rates[i])), ratioToBranchString: +(median(rates[i]) / base).toFixed(3) })));
}
main();
