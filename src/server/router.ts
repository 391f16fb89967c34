import type { CompiledEndpoint } from "../endpoint/compiled.js";
import { compareTemplates, matchSegments } from "../endpoint/path-template.js";

/** The endpoint a request path selects, with its decoded path parameters. */
export interface RouteMatch {
  readonly endpoint: CompiledEndpoint;
  readonly params: Readonly<Record<string, string>>;
}

/** A path whose parameters could not be percent-decoded. */
export const MALFORMED = Symbol("malformed");

/**
 * Jakarta WebSocket matching: an exact path first; then templates of the same segment count in
 * precedence order (a literal segment beats a variable one, compared from the left).
 */
export class Router {
  private readonly exact = new Map<string, CompiledEndpoint>();
  private readonly templates = new Map<number, CompiledEndpoint[]>();

  constructor(endpoints: readonly CompiledEndpoint[]) {
    for (const ep of endpoints) {
      if (ep.template.exact) this.exact.set(ep.template.source, ep);
      else {
        const n = ep.template.segments.length;
        const list = this.templates.get(n) ?? [];
        list.push(ep);
        this.templates.set(n, list);
      }
    }
    for (const list of this.templates.values()) list.sort((a, b) => compareTemplates(a.template, b.template));
  }

  /** Matches a request path (no query string). */
  match(pathname: string): RouteMatch | typeof MALFORMED | null {
    const exact = this.exact.get(pathname);
    if (exact) return { endpoint: exact, params: EMPTY };
    const parts = pathname.slice(1).split("/");
    const candidates = this.templates.get(parts.length);
    if (!candidates) return null;
    for (const ep of candidates) {
      const raw = matchSegments(ep.template, parts);
      if (raw === null) continue;
      const params: Record<string, string> = {};
      for (const k in raw) {
        try {
          params[k] = decodeURIComponent(raw[k]!);
        } catch {
          return MALFORMED;
        }
      }
      return { endpoint: ep, params: Object.freeze(params) };
    }
    return null;
  }
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
