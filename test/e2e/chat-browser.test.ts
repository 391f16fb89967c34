import "reflect-metadata";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, chromium as chromiumPackage } from "../support/system-packages.js";
import { startChat } from "../../examples/chat/server.js";
import { silentLogger, type ServerHandle } from "../../src/index.js";

const ROOT = join(__dirname, "..", "..");
const hasChromium = chromiumPackage.available;

let chat: ServerHandle;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!hasChromium) return;
  chat = await startChat({ port: 0, host: "127.0.0.1", logger: silentLogger });
  profile = mkdtempSync(join(tmpdir(), "wse-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 720, height: 560 },
    timeout: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await chat?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function enter(nick: string, port = chat.address.port): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.fill('#join input[name="nick"]', nick);
  await page.click("#join button");
  await page.locator("#status").filter({ hasText: `connected as ${nick}` }).waitFor();
  return page;
}

async function say(page: Page, text: string, to = ""): Promise<void> {
  await page.selectOption('#send select[name="to"]', to);
  await page.fill('#send input[name="text"]', text);
  await page.press('#send input[name="text"]', "Enter");
}

const log = (page: Page) => page.locator("#log li");

describe("examples/chat in headless Chromium", () => {
  chromiumPackage.guardEach();
  it("two people chat, a private message reaches only its target, the online count follows a closed tab", async () => {
    const alice = await enter("alice");
    const bob = await enter("bob");
    await expect.poll(() => alice.textContent("#online")).toBe("2");
    await expect.poll(() => bob.textContent("#online")).toBe("2");

    await say(alice, "hello everyone");
    await log(bob).filter({ hasText: /alice:\s*hello everyone/ }).waitFor();
    await say(bob, "hi alice");
    await log(alice).filter({ hasText: /bob:\s*hi alice/ }).waitFor();

    const carol = await enter("carol");
    await expect.poll(() => alice.textContent("#online")).toBe("3");
    await say(alice, "just for bob", "bob");
    await log(bob).filter({ hasText: /alice → you:\s*just for bob/ }).waitFor();
    await log(alice).filter({ hasText: /you → bob:\s*just for bob/ }).waitFor();
    // Alice's messages reach carol in order: once "after" arrived, a leaked private would have too.
    await say(alice, "after");
    await log(carol).filter({ hasText: /alice:\s*after/ }).waitFor();
    expect(await log(carol).allTextContents()).not.toContainEqual(expect.stringContaining("just for bob"));

    await carol.close();
    await expect.poll(() => alice.textContent("#online")).toBe("2");
    await log(alice).filter({ hasText: "carol left" }).waitFor();
    await expect.poll(() => bob.textContent("#online")).toBe("2");

    // The README's screenshot is refreshed on request (or when missing), so test runs leave the tree clean.
    const committed = join(ROOT, "docs", "images", "chat.png");
    const target = process.env.WSE_UPDATE_SCREENSHOTS === "1" || !existsSync(committed) ? committed : join(profile, "chat.png");
    mkdirSync(join(target, ".."), { recursive: true });
    await alice.screenshot({ path: target });
    expect(statSync(target).size).toBeGreaterThan(1000);
    for (const p of [alice, bob]) await p.close();
  }, 90_000);

  it("refuses a taken nickname with the join reply's error, and keeps working across a server restart", async () => {
    let server = await startChat({ port: 0, host: "127.0.0.1", logger: silentLogger });
    const port = server.address.port;
    try {
      const alice = await enter("alice", port);
      const bob = await enter("bob", port);
      await expect.poll(() => alice.textContent("#online")).toBe("2");

      const impostor = await context.newPage();
      await impostor.goto(`http://127.0.0.1:${port}/`);
      await impostor.fill('#join input[name="nick"]', "alice");
      await impostor.click("#join button");
      await log(impostor).filter({ hasText: 'nickname "alice" is already in use' }).waitFor();
      await impostor.locator("#status").filter({ hasText: "disconnected (1000: join refused)" }).waitFor();
      await impostor.close();

      await server.close(); // every session gets 1001: the pages reconnect
      await alice.locator("#banner").filter({ hasText: /Reconnecting in \d+ s \(attempt \d+\)/ }).waitFor();
      await bob.locator("#banner").filter({ hasText: "Reconnecting" }).waitFor();
      // Typed while the server is down: held by the client, sent after it rejoins, in order.
      for (const text of ["held 1", "held 2", "held 3"]) await say(alice, text);
      expect(await alice.inputValue("#send input[name=text]")).toBe(""); // accepted, not refused

      server = await startChat({ port, host: "127.0.0.1", logger: silentLogger });
      await alice.locator("#status").filter({ hasText: "connected as alice" }).waitFor({ timeout: 30_000 });
      await alice.locator("#banner").waitFor({ state: "hidden" });
      await log(alice).filter({ hasText: /alice:\s*held 3/ }).waitFor();
      const lines = (await log(alice).allTextContents()).filter((l) => /alice:\s*held/.test(l));
      expect(lines).toEqual(["alice:held 1", "alice:held 2", "alice:held 3"]);
      // Both rejoined: the new server counts them, and they chat as before.
      await expect.poll(() => alice.textContent("#online"), { timeout: 30_000 }).toBe("2");
      await bob.locator("#status").filter({ hasText: "connected as bob" }).waitFor();
      await say(bob, "back again");
      await log(alice).filter({ hasText: /bob:\s*back again/ }).waitFor();
      for (const p of [alice, bob]) await p.close();
    } finally {
      await server.close();
    }
  }, 90_000);
});
