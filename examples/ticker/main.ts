/**
 * The ticker demo: a server pushing prices, a client endpoint consuming them, and a server restart in
 * the middle that the client survives. Run with `npm run example:ticker` (PORT to choose the port).
 */
import "reflect-metadata";
import { container } from "tsyringe";
import { connectToServer } from "ws-endpoints";
import { PriceFeed } from "./price-feed.js";
import { QuoteBoard, TickerClient } from "./ticker-client.js";
import { startTickerServer } from "./ticker-server.js";

const port = Number(process.env.PORT ?? 8080);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const feed = container.resolve(PriceFeed);
  feed.start(300);
  let server = await startTickerServer(port);
  console.log(`ticker server on ws://127.0.0.1:${port}/ticker`);

  const board = container.resolve(QuoteBoard);
  board.listen((e) => {
    if (e.type === "quote") console.log(`  ${e.quote.symbol.padEnd(8)} ${e.quote.price.toFixed(2).padStart(8)}  #${e.quote.seq}`);
    else if (e.type === "disconnected") console.log(`client: disconnected (${e.code})${e.reconnecting ? ", reconnecting…" : ""}`);
    else console.log(`client: ${e.type}${e.type === "subscribed" ? ` ${e.symbols.join(", ")}` : ""}`);
  });
  const session = await connectToServer(TickerClient, `ws://127.0.0.1:${port}/ticker`, {
    reconnect: { initialDelay: 200, maxDelay: 2000 },
    heartbeat: { interval: 5000, timeout: 2000 },
  });

  await sleep(2000);
  console.log("server: restarting");
  await server.close();
  await sleep(1000);
  server = await startTickerServer(port);
  console.log("server: back");

  await sleep(2000);
  session.close();
  await session.closed;
  await server.close();
  feed.stop();
  console.log(`done: ${board.connections} connections, latest ${[...board.latest.values()].map((q) => `${q.symbol} ${q.price}`).join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
