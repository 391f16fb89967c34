import { refuseStandardDecorator } from "./standard-decorators.js";
import { writeClientEndpoint, type ClientEndpointOptions, type EndpointClass } from "./metadata.js";

/**
 * Marks a class as a WebSocket client endpoint: connect it with `connectToServer(Class, url)`. It takes the
 * same `@OnOpen`, `@OnMessage`, `@OnClose` and `@OnError` methods, argument types and codecs as a
 * `@ServerEndpoint`, and its handlers run in the same order, one at a time.
 *
 * @example
 * ```ts
 * @ClientEndpoint({ subprotocols: ["ticker.v1"] })
 * class TickerClient {
 *   @OnOpen() open(session: Session) { session.getAsyncRemote().sendText("subscribe ACME"); }
 *   @OnMessage() price(text: string) { console.log(text); }
 * }
 * const session = await connectToServer(TickerClient, "ws://127.0.0.1:8080/ticker", { reconnect: true });
 * ```
 */
export function ClientEndpoint(options: ClientEndpointOptions = {}): ClassDecorator {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError("ws-endpoints: @ClientEndpoint takes an options object, e.g. @ClientEndpoint({ subprotocols: [\"chat.v1\"] }).");
  }
  const copy: ClientEndpointOptions = { ...options };
  return ((target: unknown, context?: unknown) => {
    refuseStandardDecorator("@ClientEndpoint()", context);
    writeClientEndpoint(target as EndpointClass, copy);
  }) as ClassDecorator;
}
