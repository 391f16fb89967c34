import "reflect-metadata";
import { IsInt, IsString, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from "class-validator";
import { describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import { validateNow } from "../../src/codec/validate.js";
import { EndpointHarness } from "../../src/testing/index.js";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

@ValidatorConstraint({ name: "freeName", async: true })
class FreeName implements ValidatorConstraintInterface {
  async validate(name: unknown): Promise<boolean> {
    await tick();
    return name !== "taken";
  }
}

// Declared synchronous but returns a promise: class-validator's `validate` awaits it, `validateSync`
// would silently pass the value. The framework must keep `validate`'s semantics.
@ValidatorConstraint({ name: "notBanned" })
class NotBanned implements ValidatorConstraintInterface {
  validate(name: unknown): Promise<boolean> {
    return tick().then(() => name !== "banned");
  }
}

class Signup {
  @IsString() @Validate(FreeName) @Validate(NotBanned) name!: string;
}

class Amount {
  @IsInt() @Min(1) value!: number;
}

@ServerEndpoint("/signup")
class Registry {
  @OnMessage({ type: "signup" }) signup(s: Signup) {
    return { welcome: s.name };
  }
  @OnMessage({ type: "deposit" }) deposit(a: Amount) {
    return { ok: a.value };
  }
}

@ServerEndpoint("/signup-only")
class SignupOnly {
  @OnMessage() signup(s: Signup) {
    return { welcome: s.name };
  }
}

describe("DTO validation keeps class-validator's validate() semantics", () => {
  it("awaits async constraints and promise-returning sync constraints before the handler runs", async () => {
    const c = await EndpointHarness.create(SignupOnly).connect();
    await c.receive(JSON.stringify({ name: "ada" }));
    await c.receive(JSON.stringify({ name: "taken" }));
    await c.receive(JSON.stringify({ name: "banned" }));
    expect(c.session.sentJson()).toMatchObject([
      { welcome: "ada" },
      { type: "error", code: "VALIDATION_FAILED", errors: [{ path: "name", constraints: { freeName: expect.any(String) } }] },
      { type: "error", code: "VALIDATION_FAILED", errors: [{ path: "name", constraints: { notBanned: expect.any(String) } }] },
    ]);
  });

  it("answers in arrival order when an async-validated message is followed by a synchronously validated one", async () => {
    const c = await EndpointHarness.create(Registry).connect();
    const both = Promise.all([
      c.receive(JSON.stringify({ type: "signup", name: "grace" })),
      c.receive(JSON.stringify({ type: "deposit", value: 5 })),
      c.receive(JSON.stringify({ type: "deposit", value: 0 })),
    ]);
    await both;
    expect(c.session.sentJson()).toMatchObject([
      { welcome: "grace" },
      { ok: 5 },
      { type: "error", code: "VALIDATION_FAILED", errors: [{ path: "value" }] },
    ]);
  });

  it("is synchronous when no validator returned a promise (the session queue does not wait per message)", async () => {
    const valid = Object.assign(new Amount(), { value: 3 });
    const invalid = Object.assign(new Amount(), { value: 0 });
    expect(validateNow(valid, undefined)).toEqual([]);
    const errors = validateNow(invalid, undefined);
    expect(Array.isArray(errors) && errors.map((e) => e.property)).toEqual(["value"]);
    const pending = validateNow(Object.assign(new Signup(), { name: "taken" }), undefined);
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).map((e) => Object.keys(e.constraints ?? {}))).toEqual([["freeName"]]);
  });
});
