import { bootstrap, OnOpen, ServerEndpoint, Session, type ServerHandle } from "ws-endpoints";

@ServerEndpoint("/hello")
export class HelloEndpoint {
  @OnOpen() greet(session: Session): void {
    // The client's address, not the proxy's: the one the trusted proxy put in X-Forwarded-For.
    void session.getBasicRemote().sendText(`hello ${session.getRemoteAddress()}`);
  }
}

export function serveBehindNginx(port: number): Promise<ServerHandle> {
  return bootstrap({
    endpoints: [HelloEndpoint],
    port,
    // nginx runs on this host or in the private network; nobody else may tell us a client address.
    trustProxy: ["loopback", "10.0.0.0/8"],
    maxConnectionsPerIp: 50, // 429 above this, counted per client behind the proxy
  });
}
