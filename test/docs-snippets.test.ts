import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const docs = [...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)), "README.md"];

describe("docs snippets cannot rot", () => {
  const cases = docs.flatMap((file) =>
    [...readFileSync(join(root, file), "utf8").matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map(
      (m) => [file, m[1]!, m[2]!] as const,
    ),
  );

  it("there are snippets to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases)("%s shows %s exactly as the tested file", (_doc, path, shown) => {
    const source = readFileSync(join(root, path), "utf8").trimEnd();
    // A leading line comment in the file (why it exists) is not part of what the page shows.
    expect(shown).toBe(source.replace(/^\/\/ .*\n/, ""));
  });
});
