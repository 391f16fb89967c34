// ws-endpoints (`wse`) peer: the endpoints a user would write, one per workload.
//   /echo   text and binary echo (T1a, T1b, T3, T5, T6, T7, T8)
//   /json   T2: the message is decoded to a class-validator DTO and answered as JSON
//   /bcast  T4, T9: every text message is broadcast (pre-framed, Broadcaster) to every session of the endpoint
// Imports the library from the repository's own build (../../../dist); compiled by bench/build.js.
// BENCH_WSE_PIPELINE=1 (servers 'wse-pipeline', 'wse-traced'): one global guard and one global interceptor;
// BENCH_WSE_TRACING=1 ('wse-traced') adds tracing on, with the OpenTelemetry SDK recording every span (and
// dropping it) and an AsyncLocalStorage context manager, as NodeSDK sets up. The cost of the pipeline in
// use (issue #22).
import { createRequire } from 'node:module';
import type * as ClassValidator from 'class-validator';
import { bootstrap, Broadcaster, OnMessage, OnOpen, ServerEndpoint, Session, TextMessage } from '../../../dist/src/index.js';

// A user's application has one class-validator, shared with the library (npm dedupes it); bench/ has a
// second copy for the hand-written servers. Taking that one would load class-validator twice here (3 MB
// more heap than any user's process), so the peer uses the library's copy, as a user's code would.
const libraryRequire = createRequire(require.resolve('../../../dist/src/index.js'));
libraryRequire('reflect-metadata');
const { ArrayMaxSize, IsArray, IsInt, IsString, Length, Min } = libraryRequire('class-validator') as typeof ClassValidator;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runServer } = require('../../servers/harness.js');

export class EchoDto {
  @IsInt() @Min(0) id!: number;
  @IsString() @Length(1, 64) name!: string;
  @IsArray() @ArrayMaxSize(8) @IsString({ each: true }) tags!: string[];
}

@ServerEndpoint('/echo')
class Echo {
  @OnMessage()
  onText(text: string, session: Session) {
    session.getAsyncRemote().sendText(text);
  }

  @OnMessage()
  onBinary(data: Buffer, session: Session) {
    session.getAsyncRemote().sendBinary(data);
  }
}

// 'wse-textmessage' (BENCH_WSE_TEXT=message): the same echo written as a relay would be, taking the text as
// a TextMessage (sent on as its bytes, never decoded). T3 measures both forms.
@ServerEndpoint('/echo')
class EchoTextMessage {
  @OnMessage()
  onText(text: TextMessage, session: Session) {
    session.getAsyncRemote().sendText(text);
  }

  @OnMessage()
  onBinary(data: Buffer, session: Session) {
    session.getAsyncRemote().sendBinary(data);
  }
}

@ServerEndpoint('/json')
class Json {
  @OnMessage()
  onDto(dto: EchoDto, session: Session) {
    session.getAsyncRemote().sendObject(dto);
  }
}

const ROOM = { room: 'bcast' } as const;

@ServerEndpoint('/bcast')
class Broadcast {
  // The injectable Broadcaster frames each message once and writes the same bytes to every member.
  constructor(private readonly broadcaster: Broadcaster) {}

  @OnOpen()
  onOpen(session: Session) {
    session.join(ROOM.room);
  }

  @OnMessage()
  onText(text: string) {
    void this.broadcaster.broadcast(text, ROOM);
  }
}

// Route name (as the load generator calls it) of each endpoint class.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EndpointCtor = new (...args: any[]) => any;
const ROUTES = new Map<EndpointCtor, string>([
  [process.env.BENCH_WSE_TEXT === 'message' ? EchoTextMessage : Echo, 'echo'],
  [Json, 'json'],
  [Broadcast, 'bcast'],
]);

/** Bootstrap options of the 'wse-pipeline' variant: the SDK from the library's own install (a devDependency). */
function pipelineOptions(): Record<string, unknown> {
  if (process.env.BENCH_WSE_PIPELINE !== '1') return {};
  const used = {
    guards: [(c: { session: Session }) => c.session.isOpen()],
    interceptors: [(_c: unknown, next: () => unknown) => next()],
  };
  if (process.env.BENCH_WSE_TRACING !== '1') return used;
  const otel = libraryRequire('@opentelemetry/api');
  const { BasicTracerProvider } = libraryRequire('@opentelemetry/sdk-trace-base');
  const { AsyncLocalStorage } = require('node:async_hooks') as typeof import('node:async_hooks');
  const als = new AsyncLocalStorage<unknown>();
  otel.context.setGlobalContextManager({
    active: () => als.getStore() ?? otel.ROOT_CONTEXT,
    with: (ctx: unknown, fn: (...a: unknown[]) => unknown, thisArg: unknown, ...args: unknown[]) => als.run(ctx, () => fn.apply(thisArg, args)),
    bind: (_ctx: unknown, target: unknown) => target,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  });
  otel.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [] }));
  return { ...used, tracing: true };
}

runServer('wse', async () => {
  const coalesceWrites = process.env.BENCH_WSE_COALESCE !== '0';
  const pipeline = pipelineOptions();
  let endpoints = [...ROUTES.keys()];
  const unsupported: Record<string, string> = {};
  // An endpoint the library cannot accept yet (e.g. no DTO decoder) is reported, not fatal.
  for (;;) {
    try {
      // T6 holds 19,000 connections from one host (16 loopback addresses): above the defaults that guard a
      // production server against one peer taking every slot (10,000 in all, 1,000 per address), so the
      // peer raises them as a user expecting that many connections would.
      const handle = await bootstrap({ ...pipeline, endpoints, port: 0, host: '127.0.0.1', coalesceWrites, maxConnections: 20_000, maxConnectionsPerIp: 20_000 });
      return { port: handle.address.port, close: () => handle.close(), info: { unsupported, coalesceWrites } };
    } catch (err) {
      const msg = String((err as Error).message);
      const bad = endpoints.filter((c) => new RegExp(`\\b${c.name}\\.`).test(msg));
      if (!bad.length) throw err;
      const reason = msg.split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ').trim();
      for (const c of bad) unsupported[ROUTES.get(c)!] = reason;
      endpoints = endpoints.filter((c) => !bad.includes(c));
      if (!endpoints.length) throw err;
    }
  }
});
