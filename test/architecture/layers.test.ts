import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layer order of the source tree, lowest first; the one place it is written (docs/internals.md explains it).
 * A file may value-import from its own layer or a lower one. A "unit" is a folder under src/ (`src/session`), a
 * top-level file of src/ (`src/errors`), or `decorators`.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["src/errors", "src/close-reason", "src/util", "src/contract"],
  ["src/peers", "src/metrics", "src/transport", "src/browser"],
  ["src/session"],
  ["decorators", "src/codec", "src/di"],
  ["src/broker", "src/endpoint"],
  ["src/asyncapi", "src/recovery", "src/redis", "src/runtime", "src/pipeline"],
  ["src/handshake", "src/server"],
  ["src/cli", "src/client", "src/testing"],
  ["src/index"],
];

const root = resolve(__dirname, "../..");

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function unitOf(file: string): string {
  const parts = file.replace(/\.ts$/, "").split("/");
  if (parts[0] === "decorators") return "decorators";
  return parts.length === 2 ? parts.join("/") : `${parts[0]}/${parts[1]}`;
}

function target(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  return relative(root, resolve(root, dirname(from), spec)).replace(/\.js$/, ".ts");
}

/** Every relative import of one file; `import type`, `export type` and all-`type` named lists are type-only. */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean) => {
    if (spec === undefined || !ts.isStringLiteral(spec)) return;
    const to = target(file, spec.text);
    if (to !== undefined) edges.push({ from: file, to, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypeNames =
        named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && clause?.name === undefined &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || allTypeNames));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allTypeNames =
        named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allTypeNames);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      // Dynamic import() and require() load the module at run time: value edges.
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if (isImport || isRequire) add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const all = [...files("src"), ...files("decorators")].sort();
const edges = all.flatMap(importsOf);
const rank = new Map(LAYERS.flatMap((units, i) => units.map((u) => [u, i] as const)));

/** Strongly connected groups of more than one node (Tarjan), over the edges given. */
function cycles(over: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of over) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) strong(v);
  return found;
}

describe("source layers", () => {
  it("parses imports: type-only and value edges are told apart", () => {
    expect(all.length).toBeGreaterThan(50);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    expect(edges.some((e) => !e.typeOnly)).toBe(true);
  });

  it("assigns every source file a layer", () => {
    expect(all.map(unitOf).filter((u) => !rank.has(u))).toEqual([]);
  });

  it("has no value import from a lower layer to a higher one", () => {
    const upward = edges
      .filter((e) => !e.typeOnly && rank.get(unitOf(e.to))! > rank.get(unitOf(e.from))!)
      .map((e) => `${e.from} → ${e.to}`);
    expect(upward).toEqual([]);
  });

  // Inside one layer folders may import each other, but only one way round.
  it("has no value-level cycle between folders", () => {
    const folderEdges = edges
      .filter((e) => !e.typeOnly && unitOf(e.from) !== unitOf(e.to))
      .map((e) => ({ from: unitOf(e.from), to: unitOf(e.to) }));
    expect(cycles(folderEdges).map((group) => group.join(" ⇄ "))).toEqual([]);
  });

  // The browser bundle must run where there is no Node and nothing else of the package: its files import
  // each other, contract types (erased), the session-recovery wire (pure code that imports nothing, shared
  // with the server and the Node client) and nothing more, not even a bare module.
  it("src/browser imports only itself, src/contract/recovery-wire.ts and, type-only, src/contract", () => {
    const wire = "src/contract/recovery-wire.ts";
    const outside = edges
      .filter((e) => unitOf(e.from) === "src/browser" && unitOf(e.to) !== "src/browser")
      .filter((e) => !((e.typeOnly || e.to === wire) && unitOf(e.to) === "src/contract"))
      .map((e) => `${e.from} → ${e.to}`);
    expect(outside).toEqual([]);
    expect(edges.filter((e) => e.from === wire)).toEqual([]);
    expect(edges.some((e) => unitOf(e.from) === "src/browser" && e.to === wire && !e.typeOnly)).toBe(true);
    const bare = files("src/browser").filter((f) => /^\s*(import|export)[^;]*from\s*"(?!\.)/m.test(readFileSync(join(root, f), "utf8")));
    expect(bare).toEqual([]);
  });

  // Type-only edges count too: a type cycle still means neither file can be read without the other.
  it("has no file-level import cycle, type-only imports included", () => {
    expect(cycles(edges).map((group) => group.join(" ⇄ "))).toEqual([]);
  });
});
