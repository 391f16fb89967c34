import { describe, expect, it } from "vitest";
import { ClientEndpoint, OnClose, OnError, OnMessage, OnOpen, ServerEndpoint } from "../../src/index.js";

// How TypeScript calls decorators when experimentalDecorators is off (TC39 decorators): value, context.
const methodContext = { kind: "method", name: "m", static: false, private: false } as const;
const classContext = { kind: "class", name: "E" } as const;
type Untyped = (value: unknown, context: unknown) => void;

describe("decorators applied as standard (TC39) decorators fail at once, naming the fix", () => {
  it.each([
    ["@OnOpen()", OnOpen() as unknown as Untyped, methodContext],
    ["@OnMessage()", OnMessage() as unknown as Untyped, methodContext],
    ["@OnClose()", OnClose() as unknown as Untyped, methodContext],
    ["@OnError()", OnError() as unknown as Untyped, methodContext],
    ["@ServerEndpoint()", ServerEndpoint("/std") as unknown as Untyped, classContext],
    ["@ClientEndpoint()", ClientEndpoint() as unknown as Untyped, classContext],
  ])("%s", (name, decorator, context) => {
    expect(() => decorator(class {}, context)).toThrow(
      new TypeError(
        `ws-endpoints: ${name} was applied as a standard (TC39) decorator, but ws-endpoints needs TypeScript's legacy decorators. ` +
          'Set "experimentalDecorators": true and "emitDecoratorMetadata": true in the tsconfig.json that compiles this file ' +
          '(under vitest: the file must be in that tsconfig\'s "include").',
      ),
    );
  });

  it("legacy calls still record (prototype and key; class alone)", () => {
    class Legacy {
      m(): void {}
    }
    expect(() => (OnMessage() as unknown as (p: object, k: string, d: PropertyDescriptor) => void)(Legacy.prototype, "m", Object.getOwnPropertyDescriptor(Legacy.prototype, "m")!)).not.toThrow();
    expect(() => (ServerEndpoint("/legacy") as unknown as (c: unknown) => void)(Legacy)).not.toThrow();
  });
});
