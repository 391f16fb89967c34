import { createRequire } from "node:module";
import { requireOptionalPeer } from "../peers/optional-peer.js";
import type { EndpointClass } from "../../decorators/metadata.js";
import type { JsonSchema } from "./payload-schema.js";

const REF_PREFIX = "#/components/schemas/";

type SchemaLib = typeof import("class-validator-jsonschema");

let lib: { convert: SchemaLib; storage: unknown } | undefined;

/** Loaded on first use: serving endpoints never pays for the schema converter. */
function load(): { convert: SchemaLib; storage: unknown } {
  if (lib === undefined) {
    const req = createRequire(__filename);
    const convert = requireOptionalPeer<SchemaLib>("class-validator-jsonschema");
    const storage = (req("class-transformer/cjs/storage") as { defaultMetadataStorage: unknown }).defaultMetadataStorage;
    lib = { convert, storage };
  }
  return lib;
}

function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith(REF_PREFIX)) out.add(v.slice(REF_PREFIX.length));
      else refsIn(v, out);
    }
  }
}

/**
 * JSON Schemas of DTO classes from their class-validator decorators (nested `@ValidateNested()` +
 * `@Type(() => X)` classes included), keyed by class name, ready for `components.schemas`.
 */
export function dtoSchemas(classes: readonly EndpointClass[]): Record<string, JsonSchema> {
  if (classes.length === 0) return {};
  const { convert, storage } = load();
  const options = { refPointerPrefix: REF_PREFIX, classTransformerMetadataStorage: storage as never };
  const all = convert.validationMetadatasToSchemas(options) as Record<string, JsonSchema>;
  const out: Record<string, JsonSchema> = {};
  const pending: string[] = [];
  for (const c of classes) {
    out[c.name] = all[c.name] ?? (convert.targetConstructorToSchema(c, options) as JsonSchema);
    pending.push(c.name);
  }
  while (pending.length > 0) {
    const refs = new Set<string>();
    refsIn(out[pending.pop()!], refs);
    for (const r of refs) {
      if (out[r] !== undefined) continue;
      // A class nested without its own validation decorators has no metadata: an open object.
      out[r] = all[r] ?? { type: "object" };
      pending.push(r);
    }
  }
  return out;
}
