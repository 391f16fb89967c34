/**
 * Serialises JSON-compatible data as YAML 1.2. A string is written plain only when it cannot be misread
 * (letters first, then letters, digits, `_ . / -` and single spaces, not a YAML 1.1 boolean/null word);
 * anything else is double-quoted in JSON syntax, which is valid YAML (`"1.0"`, `"{room}"`, `"no"`).
 */
export function toYaml(value: unknown): string {
  return `${emit(value, 0)}\n`;
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/;
const RESERVED = new Set(["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]);

function str(text: string): string {
  return PLAIN.test(text) && !RESERVED.has(text.toLowerCase()) ? text : JSON.stringify(text);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return str(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TypeError(`toYaml: cannot serialise a ${typeof value}.`);
}

function isBlock(value: unknown): value is object {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === "object" && Object.keys(value).length > 0;
}

function emit(value: unknown, indent: number): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value
      .map((item) => (isBlock(item) ? `${pad}- ${emit(item, indent + 2).trimStart()}` : `${pad}- ${inline(item)}`))
      .join("\n");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return entries
      .map(([k, v]) => (isBlock(v) ? `${pad}${str(k)}:\n${emit(v, indent + 2)}` : `${pad}${str(k)}: ${inline(v)}`))
      .join("\n");
  }
  return scalar(value);
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return "[]";
  if (value !== null && typeof value === "object") return "{}";
  return scalar(value);
}
