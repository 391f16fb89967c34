// NestJS 12 gateway on @nestjs/platform-ws (WsAdapter): the peer a Nest user would write.
// Messages are WsAdapter's JSON envelopes {event, data}; replies are returned from the handler.
// The HTTP side is a bare node:http server behind a minimal HttpAdapter: WebSocket upgrades
// never reach an HTTP framework, so Express would change nothing on the data path measured here.
import 'reflect-metadata';
import * as http from 'node:http';
import { Module, UsePipes, ValidationPipe } from '@nestjs/common';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import { ArrayMaxSize, IsArray, IsInt, IsString, Length, Min } from 'class-validator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runServer } = require('../../servers/harness.js');

class EchoDto {
  @IsInt() @Min(0) id!: number;
  @IsString() @Length(1, 64) name!: string;
  @IsArray() @ArrayMaxSize(8) @IsString({ each: true }) tags!: string[];
}

@WebSocketGateway({ path: '/echo' })
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown) {
    return { event: 'echo', data };
  }

  @SubscribeMessage('big')
  big(@MessageBody() data: string) {
    return { event: 'big', data };
  }

  @UsePipes(new ValidationPipe())
  @SubscribeMessage('dto')
  dto(@MessageBody() dto: EchoDto) {
    return { event: 'dto', data: dto };
  }
}

interface WsLike {
  readyState: number;
  send(data: string): void;
}

@WebSocketGateway({ path: '/bcast' })
class BroadcastGateway {
  @WebSocketServer() server!: { clients: Set<WsLike> };

  @SubscribeMessage('bcast')
  bcast(@MessageBody() data: string) {
    const msg = JSON.stringify({ event: 'b', data });
    for (const c of this.server.clients) if (c.readyState === 1) c.send(msg);
  }
}

@Module({ providers: [EchoGateway, BroadcastGateway] })
class AppModule {}

/** The smallest HttpAdapter Nest accepts: a node:http server that answers 404. */
class BareHttpAdapter extends AbstractHttpAdapter<http.Server> {
  initHttpServer() {
    this.httpServer = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    this.instance = this.httpServer;
  }
  close() {
    return new Promise<void>((r) => (this.httpServer ? this.httpServer.close(() => r()) : r()));
  }
  getType() {
    return 'bare-http';
  }
  useStaticAssets() {}
  setViewEngine() {}
  getRequestHostname() {}
  getRequestMethod() {}
  getRequestUrl() {}
  status() {}
  reply() {}
  end() {}
  render() {}
  redirect() {}
  setErrorHandler() {}
  setNotFoundHandler() {}
  isHeadersSent() {}
  getHeader() {}
  setHeader() {}
  appendHeader() {}
  registerParserMiddleware() {}
  enableCors() {}
  createMiddlewareFactory() {
    return () => {};
  }
  applyVersionFilter() {
    return () => () => undefined as unknown as Function;
  }
}

runServer('nest', async () => {
  const app = await NestFactory.create(AppModule, new BareHttpAdapter(), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  return { port, close: () => app.close() };
});
