import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from "@nestjs/websockets";
import type { Server, WebSocket } from "ws-shim";

// NestJS gateway with the ws adapter: one gateway instance for all clients, per-client state in maps.
@WebSocketGateway({ path: "/chat" })
export class ChatGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  @WebSocketServer() server!: Server;
  private readonly names = new Map<WebSocket, string>();

  handleConnection(client: WebSocket): void {
    this.names.set(client, "guest");
  }

  handleDisconnect(client: WebSocket): void {
    this.names.delete(client);
  }

  @SubscribeMessage("chat")
  onChat(@MessageBody() text: string, @ConnectedSocket() client: WebSocket): { event: string; data: string } {
    for (const c of this.server.clients) if (c !== client) c.send(JSON.stringify({ event: "chat", data: text }));
    return { event: "ack", data: `${this.names.get(client)}: ${text}` };
  }
}
