import "reflect-metadata";
import { container as root } from "tsyringe";
import { afterEach, describe, expect, it } from "vitest";
import { PriceFeed } from "../../examples/ticker/price-feed.js";
import { QuoteBoard, TickerClient, type BoardEvent } from "../../examples/ticker/ticker-client.js";
import { startTickerServer } from "../../examples/ticker/ticker-server.js";
import { connectToServer, silentLogger, type ClientSession, type ServerHandle } from "../../src/index.js";
import { Inbox } from "../client/signals.js";

let server: ServerHandle | undefined;
let session: ClientSession | undefined;
let feed: PriceFeed | undefined;

afterEach(async () => {
  if (session?.isOpen()) session.close();
  await session?.closed;
  await server?.close();
  feed?.stop();
  server = session = feed = undefined;
});

describe("examples/ticker", () => {
  it("streams quotes to the client endpoint and resumes them after the server restarts", async () => {
    const serverContainer = root.createChildContainer();
    feed = new PriceFeed();
    serverContainer.register(PriceFeed, { useValue: feed });
    feed.start(10);
    server = await startTickerServer(0, { container: serverContainer, logger: silentLogger });
    const port = server.address.port;

    const clientContainer = root.createChildContainer();
    const board = new QuoteBoard();
    board.symbols = ["ACME"];
    clientContainer.register(QuoteBoard, { useValue: board });
    const events = new Inbox<BoardEvent>();
    board.listen(events.push);
    session = await connectToServer(TickerClient, `ws://127.0.0.1:${port}/ticker`, {
      container: clientContainer,
      logger: silentLogger,
      heartbeat: false,
      reconnect: { initialDelay: 10, maxDelay: 50 },
    });

    expect(await events.until((e) => e.type === "subscribed")).toEqual({ type: "subscribed", symbols: ["ACME"] });
    const first = (await events.until((e) => e.type === "quote")) as Extract<BoardEvent, { type: "quote" }>;
    expect(first.quote.symbol).toBe("ACME");
    expect(first.quote.price).toBeGreaterThan(0);

    await server.close();
    expect(await events.until((e) => e.type === "disconnected")).toEqual({ type: "disconnected", code: 1001, reconnecting: true });
    expect(feed.subscriberCount).toBe(0);

    server = await startTickerServer(port, { container: serverContainer, logger: silentLogger });
    await events.until((e) => e.type === "connected");
    expect(await events.until((e) => e.type === "subscribed")).toEqual({ type: "subscribed", symbols: ["ACME"] });
    const resumed = (await events.until((e) => e.type === "quote")) as Extract<BoardEvent, { type: "quote" }>;
    expect(resumed.quote.seq).toBeGreaterThan(first.quote.seq);
    expect(board.connections).toBe(2);
    // Only the subscribed symbol ever arrived.
    expect(events.all.flatMap((e) => (e.type === "quote" ? [e.quote.symbol] : []))).toSatisfy((s: string[]) => s.every((x) => x === "ACME"));
    expect(feed.subscriberCount).toBe(1);
  });
});
