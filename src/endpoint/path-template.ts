/**
 * Path templates (`/rooms/{room}/users/{id}`) and the Jakarta WebSocket precedence rules: an exact
 * path wins; otherwise templates are compared segment by segment from the left and a literal segment
 * beats a variable one.
 */

/** One segment of a template. */
export type TemplateSegment = { readonly literal: string } | { readonly variable: string };

/** A parsed path template. */
export interface PathTemplate {
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly string[];
  /** True when the template has no variables (matched by exact comparison). */
  readonly exact: boolean;
  /** Segments with every variable name replaced by `{}`: equal keys are ambiguous templates. */
  readonly shapeKey: string;
}

const VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_-]*)\}$/;
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]+$/;

/** Parses `source`; returns the template or the reason it is malformed. */
export function parsePathTemplate(source: string): PathTemplate | { readonly error: string } {
  if (typeof source !== "string" || !source.startsWith("/")) {
    return { error: `path ${JSON.stringify(source)} must start with "/".` };
  }
  if (source.includes("?") || source.includes("#")) {
    return { error: `path ${JSON.stringify(source)} must not contain a query string or fragment.` };
  }
  if (source === "/") return Object.freeze({ source, segments: [], variables: [], exact: true, shapeKey: "/" });
  const parts = source.slice(1).split("/");
  const segments: TemplateSegment[] = [];
  const variables: string[] = [];
  for (const part of parts) {
    if (part === "") return { error: `path ${JSON.stringify(source)} has an empty segment ("//" or a trailing "/").` };
    const v = VARIABLE.exec(part);
    if (v) {
      const name = v[1]!;
      if (variables.includes(name)) return { error: `path ${JSON.stringify(source)} uses {${name}} twice.` };
      variables.push(name);
      segments.push(Object.freeze({ variable: name }));
    } else if (part.includes("{") || part.includes("}")) {
      return {
        error: `path ${JSON.stringify(source)} has a malformed variable segment ${JSON.stringify(part)}; a variable is a whole segment such as {room}.`,
      };
    } else if (!LITERAL.test(part)) {
      return { error: `path ${JSON.stringify(source)} has a segment with characters not allowed in a URL path: ${JSON.stringify(part)}.` };
    } else {
      segments.push(Object.freeze({ literal: part }));
    }
  }
  const shapeKey = "/" + segments.map((s) => ("literal" in s ? s.literal : "{}")).join("/");
  return Object.freeze({
    source,
    segments: Object.freeze(segments),
    variables: Object.freeze(variables),
    exact: variables.length === 0,
    shapeKey,
  });
}

/**
 * Matches already-split request path segments against a template. Returns the raw (still
 * percent-encoded) variable values, or `null`.
 */
export function matchSegments(template: PathTemplate, parts: readonly string[]): Record<string, string> | null {
  const segs = template.segments;
  if (segs.length !== parts.length) return null;
  let params: Record<string, string> | null = null;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const part = parts[i]!;
    if ("literal" in seg) {
      if (seg.literal !== part) return null;
    } else {
      if (part === "") return null;
      (params ??= {})[seg.variable] = part;
    }
  }
  return params ?? {};
}

/**
 * Orders templates of equal length so that the first match is the Jakarta winner: at the first
 * segment where one has a literal and the other a variable, the literal one comes first.
 */
export function compareTemplates(a: PathTemplate, b: PathTemplate): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const al = "literal" in a.segments[i]!;
    const bl = "literal" in b.segments[i]!;
    if (al !== bl) return al ? -1 : 1;
  }
  return a.segments.length - b.segments.length;
}
