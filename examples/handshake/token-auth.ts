import { Configurator, HandshakeRejectedError, OnMessage, Principal, ServerEndpoint, type HandshakeRequest } from "ws-endpoints";

interface User {
  readonly id: string;
  readonly name: string;
}

/** Stand-in for your session store or JWT verification. */
const sessions = new Map<string, User>([["secret-token", { id: "u1", name: "Ada" }]]);

export class TokenAuth extends Configurator {
  override async authenticate(request: HandshakeRequest): Promise<User> {
    // Browsers cannot set headers on a WebSocket: accept a cookie or a query parameter too.
    const token =
      request.headers.authorization?.replace(/^Bearer /, "") ?? request.cookies.get("session") ?? request.queryParameters.get("token") ?? "";
    const user = sessions.get(token);
    if (user === undefined) throw new HandshakeRejectedError(401, "missing or invalid token");
    return user;
  }
}

@ServerEndpoint({ path: "/me", configurator: TokenAuth })
export class MeEndpoint {
  @OnMessage() whoAmI(_text: string, @Principal() user: User): string {
    return `you are ${user.name}`;
  }
}
