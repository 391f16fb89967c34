import "reflect-metadata";
import type { DependencyContainer } from "tsyringe";
import { describe, expectTypeOf, it } from "vitest";
import {
  Configurator,
  Principal,
  PRINCIPAL,
  Session,
  type BootstrapOptions,
  type EndpointClass,
  type HandshakeRequest,
  type OverflowPolicy,
  type ResponseHeaders,
  type ServerEndpointOptions,
} from "../../src/index.js";

describe("public typings of the handshake and reliability API", () => {
  it("Configurator hooks", () => {
    expectTypeOf<Configurator["checkOrigin"]>().toEqualTypeOf<(origin: string | undefined, request: HandshakeRequest) => boolean>();
    expectTypeOf<Configurator["authenticate"]>().parameters.toEqualTypeOf<[HandshakeRequest]>();
    expectTypeOf<Configurator["modifyHandshake"]>().toEqualTypeOf<(request: HandshakeRequest, responseHeaders: ResponseHeaders) => void | Promise<void>>();
    expectTypeOf<Configurator["getNegotiatedSubprotocol"]>().toEqualTypeOf<(supported: readonly string[], requested: readonly string[]) => string | undefined>();
    expectTypeOf<Configurator["getEndpointInstance"]>().toEqualTypeOf<<T>(endpointClass: EndpointClass<T>, container: DependencyContainer) => T>();
  });

  it("HandshakeRequest is read-only except userProperties", () => {
    expectTypeOf<HandshakeRequest["cookies"]>().toEqualTypeOf<ReadonlyMap<string, string>>();
    expectTypeOf<HandshakeRequest["queryParameters"]>().toEqualTypeOf<URLSearchParams>();
    expectTypeOf<HandshakeRequest["userProperties"]>().toEqualTypeOf<Map<string, unknown>>();
  });

  it("Session exposes idle timeout and backpressure state", () => {
    expectTypeOf<Session["setMaxIdleTimeout"]>().toEqualTypeOf<(ms: number) => void>();
    expectTypeOf<Session["getMaxIdleTimeout"]>().toEqualTypeOf<() => number>();
    expectTypeOf<Session["getBufferedAmount"]>().toEqualTypeOf<() => number>();
    expectTypeOf<Session["getOutboundQueueDepth"]>().toEqualTypeOf<() => number>();
  });

  it("options", () => {
    expectTypeOf<OverflowPolicy>().toEqualTypeOf<"await" | "drop-oldest" | "drop-newest" | "close">();
    expectTypeOf<NonNullable<BootstrapOptions["outbound"]>["policy"]>().toEqualTypeOf<OverflowPolicy | undefined>();
    expectTypeOf<ServerEndpointOptions["requireSubprotocol"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<NonNullable<BootstrapOptions["rateLimit"]>>().toMatchTypeOf<false | { messagesPerSecond: number }>();
    expectTypeOf(Principal).returns.toEqualTypeOf<ParameterDecorator>();
    expectTypeOf(PRINCIPAL).toBeSymbol();
  });
});
