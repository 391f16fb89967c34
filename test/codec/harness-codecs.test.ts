import "reflect-metadata";
import { IsInt, Min } from "class-validator";
import { describe, expect, it } from "vitest";
import { DecodeError, OnError, OnMessage, ServerEndpoint, Session, type Decoder } from "../../src/index.js";
import { EndpointHarness } from "../../src/testing/index.js";

class Amount {
  @IsInt() @Min(1) value!: number;
}
class Word {
  constructor(readonly text: string) {}
}
class WordDecoder implements Decoder.Text<Word> {
  static readonly decodes = Word;
  willDecode(text: string): boolean {
    return /^[a-z]+$/.test(text);
  }
  decode(text: string): Word {
    return new Word(text);
  }
}

@ServerEndpoint("/harness-codecs")
class Bank {
  @OnMessage() word(w: Word) {
    return `word ${w.text}`;
  }
  @OnMessage() deposit(a: Amount) {
    return { ok: a.value };
  }
  @OnError() failed(e: Error, session: Session) {
    if (e instanceof DecodeError) {
      session.getAsyncRemote().sendObject({ seen: e.reason, code: e.code, errors: e.errors, payload: String(e.payload), decoder: e.decoder ?? null });
    }
  }
}

describe("codecs through the EndpointHarness (no socket)", () => {
  it("global decoders from harness options route by willDecode before the DTO catch-all", async () => {
    const h = EndpointHarness.create(Bank, { codecs: { decoders: [WordDecoder] } });
    const c = await h.connect();
    await c.receive("hello");
    await c.receive(JSON.stringify({ value: 3 }));
    expect(c.session.sentTexts()).toEqual(["word hello", '{"ok":3}']);
  });

  it("@OnError receives the DecodeError with reason, field errors and the raw payload; on-error sends nothing itself", async () => {
    const h = EndpointHarness.create(Bank, { codecs: { decoders: [WordDecoder], invalidMessages: "on-error" } });
    const c = await h.connect();
    await c.receive(JSON.stringify({ value: 0 }));
    expect(c.session.sentJson()).toEqual([
      {
        seen: "VALIDATION_FAILED",
        code: "WSE_ERR_DECODE_FAILED",
        errors: [{ path: "value", constraints: { min: "value must not be less than 1" } }],
        payload: '{"value":0}',
        decoder: null,
      },
    ]);
    expect(c.closedWith).toBeUndefined();
  });

  it("endpoint validation options override global ones field by field", async () => {
    @ServerEndpoint({ path: "/lenient", validation: { validator: { forbidNonWhitelisted: false } } })
    class Lenient {
      @OnMessage() deposit(a: Amount) {
        return { ok: a.value, extra: (a as unknown as Record<string, unknown>).extra ?? "stripped" };
      }
    }
    const strictGlobal = { decoders: [WordDecoder], validation: { validator: { forbidNonWhitelisted: true, whitelist: true } } };
    const c = await EndpointHarness.create(Lenient, { codecs: strictGlobal }).connect();
    await c.receive(JSON.stringify({ value: 2, extra: 1 }));
    expect(c.session.sentJson()).toEqual([{ ok: 2, extra: "stripped" }]);
    const strict = await EndpointHarness.create(Bank, { codecs: strictGlobal }).connect();
    await strict.receive(JSON.stringify({ value: 2, extra: 1 }));
    expect(strict.session.sentJson()).toMatchObject([{ type: "error", code: "VALIDATION_FAILED", errors: [{ path: "extra" }] }, { seen: "VALIDATION_FAILED" }]);
  });

  it("close-1007 closes after @OnError ran", async () => {
    const h = EndpointHarness.create(Bank, { codecs: { decoders: [WordDecoder], invalidMessages: "close-1007" } });
    const c = await h.connect();
    await c.receive("{");
    expect(c.session.sentJson()).toMatchObject([{ seen: "INVALID_JSON" }]);
    expect(c.closedWith).toEqual({ code: 1007, reason: "invalid message" });
  });
});
