import { vi } from "vitest";
import type { MockSession } from "../../src/testing/index.js";

/** Records what `session` hands its in-memory transport, as given (a string or a Buffer), and still sends it. */
export function transportWrites(session: MockSession): Array<string | Buffer> {
  const writes: Array<string | Buffer> = [];
  const memory = session.memory;
  const send = memory.send.bind(memory);
  vi.spyOn(memory, "send").mockImplementation((data, binary, fin, done) => {
    writes.push(data);
    send(data, binary, fin, done);
  });
  return writes;
}
