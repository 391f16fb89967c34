/** @hidden Where the handshake request carries the origin policy for `Configurator.checkOrigin`. */
export const ORIGIN_POLICY = Symbol("ws-endpoints:origin-policy");

/** An allowed origin: exact (`"https://app.example.com"`), a `*.` wildcard pattern, `"*"`, or a RegExp. */
export type AllowedOrigin = string | RegExp;

/**
 * The built-in origin check, compiled once from `allowedOrigins`. Cross-site WebSocket hijacking works
 * because browsers send cookies with cross-origin upgrades and WebSockets have no CORS: refusing
 * browser origins other than the page's own host (unless listed) closes that hole.
 */
export class OriginPolicy {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private readonly any: boolean;

  constructor(allowed: readonly AllowedOrigin[]) {
    let any = false;
    for (const entry of allowed) {
      if (entry instanceof RegExp) this.patterns.push(entry);
      else if (entry === "*") any = true;
      else if (entry.includes("*")) this.patterns.push(wildcard(entry));
      else this.exact.add(normalizeOrigin(entry) ?? entry.toLowerCase());
    }
    this.any = any;
  }

  /** No Origin → allowed (not a browser); listed → allowed; same host as the request → allowed. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.any) return true;
    const normalized = normalizeOrigin(origin);
    const key = normalized ?? origin.toLowerCase();
    if (this.exact.has(key)) return true;
    for (const p of this.patterns) {
      p.lastIndex = 0;
      if (p.test(key)) return true;
    }
    return normalized !== undefined && host !== undefined && sameHost(normalized, host);
  }
}

/** Problems with an `allowedOrigins` list, one sentence each. */
export function checkAllowedOrigins(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${where} must be an array of origins (strings or RegExps)`];
  const problems: string[] = [];
  for (const entry of value) {
    if (entry instanceof RegExp || entry === "*") continue;
    if (typeof entry !== "string") problems.push(`${where} entries must be strings or RegExps; got ${typeof entry}`);
    else if (!/^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[^/*?#]+$/i.test(entry) && entry !== "null") {
      problems.push(`${where} entry ${JSON.stringify(entry)} is not an origin like "https://app.example.com" or "https://*.example.com"`);
    }
  }
  return problems;
}

/** `scheme://host[:port]` lower-cased with the default port dropped, or undefined when not a URL origin. */
function normalizeOrigin(origin: string): string | undefined {
  if (origin === "null" || origin.length > 2048) return undefined;
  try {
    const url = new URL(origin);
    if (url.host === "") return undefined;
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

function sameHost(origin: string, hostHeader: string): boolean {
  const scheme = origin.slice(0, origin.indexOf(":"));
  const originHost = origin.slice(scheme.length + 3);
  let host = hostHeader.trim().toLowerCase();
  const defaultPort = scheme === "https" || scheme === "wss" ? ":443" : ":80";
  if (host.endsWith(defaultPort)) host = host.slice(0, -defaultPort.length);
  return originHost === host;
}

/** `https://*.example.com` → any subdomain (one or more labels) on the default port; not the apex. */
function wildcard(pattern: string): RegExp {
  const lower = pattern.toLowerCase();
  const escaped = lower.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[a-z0-9-]+(?:\\.[a-z0-9-]+)*");
  return new RegExp(`^${escaped}$`);
}
