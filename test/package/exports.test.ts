import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/**
 * The public API is what the entry points export. Each entry's value and type names are checked
 * against public-exports.json, so a new export (or a lost one) is a reviewed decision: when this test
 * fails on purpose, rewrite the JSON (`UPDATE_PUBLIC_EXPORTS=1 npx vitest run test/package/exports.test.ts`),
 * review its diff in the same commit and say why (and add CHANGELOG.md lines for renames and removals).
 */
const JSON_FILE = join(__dirname, "public-exports.json");
const ENTRIES = {
  "ws-endpoints": "src/index.ts",
  "ws-endpoints/testing": "src/testing/index.ts",
  "ws-endpoints/redis": "src/redis/index.ts",
  "ws-endpoints/broker": "src/broker/index.ts",
  "ws-endpoints/asyncapi": "src/asyncapi/index.ts",
  "ws-endpoints/contract": "src/contract/index.ts",
  "ws-endpoints/browser": "src/browser/index.ts",
  "ws-endpoints/pipeline": "src/pipeline/index.ts",
  "ws-endpoints/recovery": "src/recovery/index.ts",
} as const;

interface EntryExports {
  values: string[];
  types: string[];
}

const expected = JSON.parse(readFileSync(JSON_FILE, "utf8")) as Record<string, EntryExports>;

function declaredExports(): Record<string, EntryExports> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const files = Object.values(ENTRIES).map((f) => join(ROOT, f));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out: Record<string, EntryExports> = {};
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, file))!)!;
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      // `export type { X }` of a class is a type-only name for the user even though X is a value.
      const typeOnly = symbol.declarations?.some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly)) ?? false;
      (target.flags & ts.SymbolFlags.Value && !typeOnly ? values : types).push(symbol.name);
    }
    out[entry] = { values: values.sort(), types: types.sort() };
  }
  return out;
}

describe("public exports (each entry point's names are a reviewed list)", () => {
  const declared = declaredExports();
  if (process.env["UPDATE_PUBLIC_EXPORTS"] === "1") writeFileSync(JSON_FILE, `${JSON.stringify(declared, null, 2)}\n`);

  it.each(Object.keys(ENTRIES))("%s exports exactly the names in public-exports.json", (entry) => {
    expect(declared[entry]).toEqual(expected[entry]);
  });

  it.each(Object.entries(ENTRIES))("%s: the runtime values are the declared values", async (entry, file) => {
    const loaded = (await import(join(ROOT, file))) as Record<string, unknown>;
    expect(Object.keys(loaded).filter((k) => k !== "default").sort()).toEqual(declared[entry]!.values);
  });

  it("the root stays lean: the broker SPI and AsyncAPI tools live on their own entries", () => {
    const root = [...declared["ws-endpoints"]!.values, ...declared["ws-endpoints"]!.types];
    // 110 until issues 20-22 added four error classes and TrustProxy, which belong on the root (errors.test.ts wants
    // every coded error there); new families still go on their own entries.
    expect(root.length).toBeLessThanOrEqual(112);
    for (const name of ["BrokerNode", "BrokerMessage", "BrokerMessageKinds", "generateAsyncApi", "AsyncApiDocument", "JsonSchema"]) {
      expect(root, name).not.toContain(name);
    }
  });
});
