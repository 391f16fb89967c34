import "reflect-metadata";
import { IsString } from "class-validator";
import { describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import { silentLogger } from "../../src/metrics/logger.js";
import { createEndpointServer } from "../../src/server/bootstrap.js";

describe("hostile envelopes", () => {
  it("an inline payload with a __proto__ key does not change the DTO's prototype or pass validation by it", async () => {
    class Note {
      @IsString() text!: string;
    }
    @ServerEndpoint("/hostile")
    class Hostile {
      @OnMessage({ type: "note" }) note(n: Note) {
        return { proto: Object.getPrototypeOf(n) === Note.prototype, polluted: ({} as Record<string, unknown>).polluted ?? null };
      }
    }
    const { server } = createEndpointServer({ endpoints: [Hostile], logger: silentLogger });
    const routed = server.endpoints[0]!.onText!.route(Buffer.from('{"type":"note","text":"a","__proto__":{"polluted":1,"text":5}}'))!;
    const note = (await routed.payload) as Note;
    expect(Object.getPrototypeOf(note)).toBe(Note.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(note.text).toBe("a");
  });
});
