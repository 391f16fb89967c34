import { afterEach } from "vitest";
import { TestServer } from "../../src/testing/index.js";

/** Starts servers for the tests of one file and closes whatever a test left open after it. */
export function serverPerTest(): { start: typeof TestServer.start } {
  const open: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return {
    start: async (endpoints, options) => {
      const s = await TestServer.start(endpoints, options);
      open.push(s);
      return s;
    },
  };
}
