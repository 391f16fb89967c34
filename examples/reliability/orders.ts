import { OnMessage, QueueOverflowError, SendTimeoutError, ServerEndpoint, Session } from "ws-endpoints";

/** Order confirmations must not be dropped: Basic sends wait for room (policy "await") and give up after 10 s. */
@ServerEndpoint({ path: "/orders", outbound: { policy: "await" }, sendTimeout: 10_000 })
export class OrdersEndpoint {
  @OnMessage() async place(order: string, session: Session): Promise<void> {
    try {
      await session.getBasicRemote().sendText(`confirmed ${order}`);
    } catch (error) {
      if (error instanceof SendTimeoutError || error instanceof QueueOverflowError) {
        // The client is too slow to be served: let it reconnect and resync.
        session.close();
      } else throw error;
    }
  }
}
