import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { inject } from "tsyringe";
import { bootstrap, EndpointDefinitionError, OnMessage, Payload, ServerEndpoint } from "../../src/index.js";
import { EndpointHarness } from "../../src/testing/index.js";

/**
 * esbuild (tsx, vite) and swc without decoratorMetadata emit no `design:paramtypes`. Applying the
 * decorators by hand reproduces exactly that output.
 */
function declare(path: string, explicit: boolean): new () => object {
  class NoMetadata {
    echo(text: string): string {
      return `echo:${text}`;
    }
  }
  if (explicit) Payload(String)(NoMetadata.prototype, "echo", 0);
  OnMessage()(NoMetadata.prototype, "echo", Object.getOwnPropertyDescriptor(NoMetadata.prototype, "echo")!);
  ServerEndpoint(path)(NoMetadata);
  return NoMetadata;
}

describe("compilers that emit no decorator metadata", () => {
  it("get a bootstrap error naming the parameter, the cause and both fixes", async () => {
    const Endpoint = declare("/no-meta", false);
    const error = await bootstrap({ endpoints: [Endpoint], port: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    const message = (error as Error).message;
    expect(message).toContain("NoMetadata.echo parameter #0: its type is not known at run time: the compiler emitted no decorator metadata.");
    expect(message).toContain('enable "emitDecoratorMetadata" and "experimentalDecorators" in tsconfig.json');
    expect(message).toContain("esbuild/tsx do not emit it");
    expect(message).toContain("@Payload(ChatMessage)");
  });

  it("work with an explicit @Payload(Type)", async () => {
    const harness = EndpointHarness.create(declare("/explicit", true));
    const conn = await harness.connect();
    await conn.receive("hi");
    expect(conn.lastSent()).toEqual({ type: "text", data: "echo:hi" });
  });

  it("a constructor with @inject(Token) on only some parameters is refused, naming the others", async () => {
    class Partly {
      constructor(
        readonly a: unknown,
        readonly b: unknown,
      ) {}
      echo(text: string): string {
        return text;
      }
    }
    inject("b")(Partly, undefined, 1);
    Payload(String)(Partly.prototype, "echo", 0);
    OnMessage()(Partly.prototype, "echo", Object.getOwnPropertyDescriptor(Partly.prototype, "echo")!);
    ServerEndpoint("/partly")(Partly);
    const error = await bootstrap({ endpoints: [Partly], port: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    expect((error as Error).message).toContain(
      "Partly: its constructor takes parameters but the compiler emitted no types for them, and parameter #0 has no @inject(Token).",
    );
  });
});
