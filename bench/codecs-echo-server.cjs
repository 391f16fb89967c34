// One echo server for bench/codecs-echo.cjs: `node codecs-echo-server.cjs <kind> <dist-dir>`; prints the port.
// kinds: raw (plain ws), string (@OnMessage() text: string), dto (typed envelope + class-validator DTO).
"use strict";
const kind = process.argv[2];
const dist = process.argv[3];
require("reflect-metadata");

async function main() {
  if (kind === "raw") {
    const { WebSocketServer } = require("ws");
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, clientTracking: false });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise((r) => wss.on("listening", r));
    return wss.address().port;
  }
  const ws = require(`${dist}/src/index.js`);
  const { IsString, MaxLength } = require("class-validator");
  const decorate = (decorators, target, key, desc) => Reflect.decorate(decorators, target, key, desc);
  let Endpoint;
  if (kind === "string") {
    Endpoint = class { text(msg) { return msg; } };
    decorate([ws.OnMessage(), Reflect.metadata("design:paramtypes", [String])], Endpoint.prototype, "text", Object.getOwnPropertyDescriptor(Endpoint.prototype, "text"));
  } else {
    class Chat {}
    decorate([IsString(), MaxLength(500)], Chat.prototype, "text", undefined);
    Endpoint = class { chat(m) { return { type: "chat", text: m.text }; } };
    decorate([ws.OnMessage({ type: "chat" }), Reflect.metadata("design:paramtypes", [Chat])], Endpoint.prototype, "chat", Object.getOwnPropertyDescriptor(Endpoint.prototype, "chat"));
  }
  decorate([ws.ServerEndpoint("/echo")], Endpoint);
  const handle = await ws.bootstrap({ endpoints: [Endpoint], port: 0, host: "127.0.0.1", logger: ws.silentLogger });
  return handle.address.port;
}
main().then((port) => process.stdout.write(`${port}\n`));
