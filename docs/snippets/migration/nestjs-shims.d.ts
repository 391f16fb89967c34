// Just enough of @nestjs/websockets and socket.io for the "before" code of docs/migration-nestjs.md to
// type-check without installing NestJS.
declare module "@nestjs/websockets" {
  export function WebSocketGateway(options?: { path?: string }): ClassDecorator;
  export function SubscribeMessage(event: string): MethodDecorator;
  export function MessageBody(): ParameterDecorator;
  export function ConnectedSocket(): ParameterDecorator;
  export function WebSocketServer(): PropertyDecorator;
  export interface OnGatewayConnection<T = unknown> {
    handleConnection(client: T, ...args: unknown[]): void;
  }
  export interface OnGatewayDisconnect<T = unknown> {
    handleDisconnect(client: T): void;
  }
}
declare module "ws-shim" {
  export interface WebSocket {
    send(data: string): void;
  }
  export interface Server {
    clients: Set<WebSocket>;
  }
}
