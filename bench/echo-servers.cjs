// The two echo servers of bench/metrics-overhead.mjs; prints the port once listening.
require("reflect-metadata");
const kind = process.argv[2];
if (kind === "raw") {
  const { WebSocketServer } = require("ws");
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  wss.on("listening", () => console.log(wss.address().port));
} else {
  const { bootstrap, silentLogger } = require("../dist/src/index.js");
  const { ServerEndpoint, OnMessage, Payload } = require("../dist/src/index.js");
  class Echo {
    echo(text) {
      return text;
    }
  }
  Payload(String)(Echo.prototype, "echo", 0);
  OnMessage()(Echo.prototype, "echo", Object.getOwnPropertyDescriptor(Echo.prototype, "echo"));
  ServerEndpoint("/echo")(Echo);
  bootstrap({ endpoints: [Echo], port: 0, host: "127.0.0.1", logger: silentLogger, metrics: { latency: process.env.LATENCY !== "0" } }).then((h) =>
    console.log(h.address.port),
  );
}
