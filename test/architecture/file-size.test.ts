import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * House rule: one concern a file, files mostly under 300 lines and none over 400 in src/ (and
 * decorators/). A file that grows past the cap has taken on a second concern: cut it along that
 * concern (docs/internals.md names the layers and the files of each), do not raise the cap.
 */
const root = resolve(__dirname, "../..");
const CAP = 400;

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function lines(file: string): number {
  const text = readFileSync(join(root, file), "utf8");
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}

describe("file size", () => {
  it(`no source file in src/ or decorators/ has more than ${CAP} lines`, () => {
    const over = [...files("src"), ...files("decorators")].filter((f) => lines(f) > CAP).map((f) => `${f}: ${lines(f)} lines`);
    expect(over).toEqual([]);
  });
});
