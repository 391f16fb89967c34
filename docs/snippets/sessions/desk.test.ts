import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { DeskEndpoint } from "./desk.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/sessions.md: rooms, principal, idle timeout", () => {
  it("join/getRooms/leave: rooms in join order; a left room no longer receives its broadcasts", async () => {
    server = await TestServer.start([DeskEndpoint], { heartbeatInterval: 0 });
    const ada = await server.connect("/desk/red?user=ada");
    const bob = await server.connect("/desk/red?user=bob");
    await ada.send("rooms");
    expect(await ada.nextText()).toBe("red,everyone");
    await bob.send("hello");
    expect(await bob.nextText()).toBe("sent");
    expect(await ada.nextText()).toBe("bob: hello");
    await ada.send("leave red");
    expect(await ada.nextText()).toBe("left red");
    await ada.send("rooms");
    expect(await ada.nextText()).toBe("everyone");
    await bob.send("anyone?");
    expect(await bob.nextText()).toBe("sent");
    // Ada's next frame is the answer to her own message, not bob's broadcast.
    await ada.send("leave nowhere");
    expect(await ada.nextText()).toBe("left nowhere");
  });

  it("getUserPrincipal is what authenticate returned; setMaxIdleTimeout closes a silent guest with 1001", async () => {
    server = await TestServer.start([DeskEndpoint], { heartbeatInterval: 0 });
    const member = await server.connect("/desk/blue?user=cy");
    const guest = await server.connect("/desk/blue");
    await guest.send("hi");
    expect(await guest.nextText()).toBe("sent");
    expect(await member.nextText()).toBe("guest: hi");
    expect(await guest.closed).toEqual({ code: 1001, reason: "idle timeout: no message for 1000 ms" });
    expect(member.ws.readyState).toBe(member.ws.OPEN); // members have no idle timeout
  });

  it("lists every method of Session", () => {
    const root = join(__dirname, "..", "..", "..");
    const methods = [...readFileSync(join(root, "src", "session", "session.ts"), "utf8").matchAll(/^  abstract (\w+)\(/gm)].map((m) => m[1]!);
    const doc = readFileSync(join(root, "docs", "sessions.md"), "utf8");
    expect(methods.length).toBeGreaterThan(20);
    expect(methods.filter((m) => !doc.includes(`\`${m}(`))).toEqual([]);
  });
});
