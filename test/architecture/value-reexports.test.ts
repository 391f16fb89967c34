import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Only the entry-point index files re-export values. In the CommonJS build, `export { X } from "./y.js"`
 * becomes an accessor (`Object.defineProperty(exports, "X", { get })`) on the module's exports, and V8
 * then reads every export of that module through the generic LoadIC instead of an inline cache: when
 * outbound-queue.ts re-exported `OUT`, each send paid for it (callgrind, 32 B echo: +750 instructions a
 * message, 7,002 -> 7,754). Import a value from the file that defines it.
 */
const root = resolve(__dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function valueReexports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  for (const node of source.statements) {
    if (!ts.isExportDeclaration(node) || node.moduleSpecifier === undefined || node.isTypeOnly) continue;
    const clause = node.exportClause;
    if (clause === undefined) found.push("*");
    else if (ts.isNamedExports(clause)) {
      for (const e of clause.elements) if (!e.isTypeOnly) found.push(e.name.text);
    } else found.push(`* as ${clause.name.text}`);
  }
  return found;
}

describe("value re-exports", () => {
  it("appear only in entry-point index files", () => {
    const offenders = [...files("src"), ...files("decorators")]
      .filter((f) => !/(^|\/)index\.ts$/.test(f))
      .flatMap((f) => valueReexports(f).map((name) => `${relative(root, join(root, f))}: ${name}`));
    expect(offenders).toEqual([]);
  });
});
