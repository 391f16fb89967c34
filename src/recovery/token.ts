import { createHash, randomBytes } from "node:crypto";

/** A new recovery token: 144 random bits, URL-safe. Never derived from the session id. */
export function newToken(): string {
  return randomBytes(18).toString("base64url");
}

/** What the store keeps of a token: its hash, so a store dump (Redis) cannot be replayed as tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * The principal a token is bound to, as a stable string: a string or number principal, or an object's
 * `id` (else `sub`), else its JSON. Anonymous sessions bind to "". A recovery must present the same key.
 */
export function principalKey(principal: unknown): string {
  if (principal === undefined || principal === null) return "";
  if (typeof principal === "string" || typeof principal === "number") return `${typeof principal}:${principal}`;
  if (typeof principal === "object") {
    const o = principal as { id?: unknown; sub?: unknown };
    const id = o.id ?? o.sub;
    if (typeof id === "string" || typeof id === "number") return `id:${id}`;
    try {
      return `json:${createHash("sha256").update(JSON.stringify(principal) ?? "").digest("base64url")}`;
    } catch {
      return "opaque";
    }
  }
  return `${typeof principal}:${String(principal)}`;
}
