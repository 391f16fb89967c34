import "reflect-metadata";
import { describe, expect, expectTypeOf, it } from "vitest";
import { inject } from "tsyringe";
import {
  ClientEndpoint,
  CloseReason,
  connectToServer,
  EndpointDefinitionError,
  HandlerError,
  InvalidOptionsError,
  OnMessage,
  Session,
  type ClientSession,
} from "../../src/index.js";

@ClientEndpoint()
class Ok {
  @OnMessage() t(_t: string) {}
}

describe("connectToServer argument checks (at the call, before any network)", () => {
  it.each([
    ["not a url", /"not a url" is not a valid URL/],
    ["ftp://127.0.0.1/x", /must start with ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/; got "ftp:"/],
    ["ws://127.0.0.1/x#frag", /must not contain a fragment/],
  ])("rejects the URL %s with InvalidOptionsError", (url, message) => {
    expect(() => connectToServer(Ok, url)).toThrow(InvalidOptionsError);
    expect(() => connectToServer(Ok, url)).toThrow(message);
  });

  it("names every bad option in one InvalidOptionsError", () => {
    const call = () =>
      connectToServer(Ok, "ws://127.0.0.1:1/", { handshakeTimeout: 0, heartbeat: { interval: -1 }, subprotocols: ["a b"], bogus: true } as never);
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow(
      /unknown option "bogus".*subprotocols must be a list of HTTP tokens.*handshakeTimeout must be a positive integer of ms; got 0.*heartbeat\.interval must be a positive integer of ms; got -1/s,
    );
  });

  it('refuses reconnect.instance "fresh" with an instance', () => {
    expect(() => connectToServer(new Ok(), "ws://127.0.0.1:1/", { reconnect: { instance: "fresh" } })).toThrow(
      'reconnect.instance "fresh" needs the endpoint class, not an instance',
    );
  });

  it("throws EndpointDefinitionError for a class without @ClientEndpoint", () => {
    class Plain {}
    expect(() => connectToServer(Plain, "ws://127.0.0.1:1/")).toThrow(EndpointDefinitionError);
  });

  it("reports a constructor parameter that cannot be injected", () => {
    @ClientEndpoint()
    class NeedsString {
      constructor(readonly s: string) {}
    }
    expect(() => connectToServer(NeedsString, "ws://127.0.0.1:1/")).toThrow(/NeedsString\.constructor parameter #0: the type String cannot be injected/);
  });

  it("rejects with HandlerError when the endpoint constructor throws, before connecting", async () => {
    @ClientEndpoint()
    class Throws {
      constructor(@inject("missing-token") readonly x: unknown) {}
    }
    const error = await connectToServer(Throws, "ws://127.0.0.1:1/", { heartbeat: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandlerError);
    expect((error as HandlerError).handler).toBe("Throws.constructor");
  });
});

describe("connectToServer typings", () => {
  it("resolves to a ClientSession, which is a Session with connection state", () => {
    expectTypeOf(connectToServer).returns.toEqualTypeOf<Promise<ClientSession>>();
    expectTypeOf<ClientSession>().toMatchTypeOf<Session>();
    expectTypeOf<ClientSession["isConnected"]>().toEqualTypeOf<() => boolean>();
    expectTypeOf<ClientSession["closed"]>().toEqualTypeOf<Promise<CloseReason>>();
  });
});
