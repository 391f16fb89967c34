/**
 * The recovery wire, shared by the server (`recovery/`) and both clients (`client/`, `browser/`): pure
 * code with no imports, in layer 0 so the browser bundle carries the same parser and URL builder as the
 * Node client. Only what a browser can do: query parameters on the upgrade URL, and one text message
 * from the server.
 *
 * 1. The client asks for recovery with `?wse-recovery=` (empty: a new session) or
 *    `?wse-recovery=<token>&wse-offset=<n>`, where `n` is the number of data messages it has received
 *    in that session so far (the offset of the next one it expects).
 * 2. The server's first message on that connection is a control message (text, JSON):
 *    `{"$wse":"recovery","session":"<id>","token":"<token>","offset":<n>,"recovered":<bool>}` plus
 *    `"refused":"<reason>"` when a recovery was asked for and refused (the session is then new), or
 *    `{"$wse":"recovery","unsupported":true}` from an endpoint without recovery.
 * 3. Every later data message (text or binary) of the session has the next offset: the first has
 *    `offset`, the next `offset + 1`, and so on. Offsets are counted, never sent, so a message costs no
 *    extra byte; a replay starts at the offset the client presented.
 * 4. The token stays the same for the whole life of the session (a control message lost with its
 *    connection must not lock the client out); it is bound to the principal that authenticated.
 */

/** Query parameter carrying the recovery token (empty when asking for a new recoverable session). */
export const TOKEN_PARAM = "wse-recovery";
/** Query parameter carrying the number of data messages the client has received in the session. */
export const OFFSET_PARAM = "wse-offset";
/** Value of the control message's `$wse` field. */
export const CONTROL_TAG = "recovery";

/** Why a recovery was refused; the session is new and the client is told this reason. */
export const RecoveryRefusals = /* @__PURE__ */ Object.freeze({
  /** No session has this token (never issued, already used, or forgotten after its window). */
  UNKNOWN_TOKEN: "unknown-token",
  /** The session's recovery window passed before the client came back. */
  EXPIRED: "expired",
  /** Messages the client missed were trimmed from the store (size bounds): recovery would be incomplete. */
  TRIMMED: "trimmed",
  /** The token belongs to another principal than the one this handshake authenticated. */
  PRINCIPAL_MISMATCH: "principal-mismatch",
  /** The token belongs to another endpoint. */
  ENDPOINT_MISMATCH: "endpoint-mismatch",
  /** The offset is not one the session ever reached. */
  INVALID_OFFSET: "invalid-offset",
  /** The session is still connected on another node. */
  IN_USE: "in-use",
  /** The endpoint's `recovery.accept` said no. */
  REFUSED_BY_ENDPOINT: "refused-by-endpoint",
  /** The recovery store could not be reached (Redis down). */
  STORE_UNAVAILABLE: "store-unavailable",
} as const);
/** One of {@link RecoveryRefusals}. */
export type RecoveryRefusal = (typeof RecoveryRefusals)[keyof typeof RecoveryRefusals];

/** The control message's fields. */
export interface RecoveryControl {
  readonly session: string;
  readonly token: string;
  readonly offset: number;
  readonly recovered: boolean;
  readonly refused?: RecoveryRefusal;
}

/** How the current connection's session recovery went, as a client reports it (Node `getRecovery()`, browser `client.recovery`). */
export interface RecoveryStatus {
  /** The server's id of the session: the same across recovered connections. */
  readonly sessionId: string;
  /** Whether this connection recovered the previous session (and was sent what it missed first). */
  readonly recovered: boolean;
  /** Why a recovery this connection asked for was refused; the session is then a new one. */
  readonly refused: RecoveryRefusal | undefined;
  /** Data messages received in the server session so far (the offset presented on the next recovery). */
  readonly offset: number;
}

/** Encodes the control message the server sends first. */
export function encodeControl(c: RecoveryControl): string {
  return JSON.stringify({ $wse: CONTROL_TAG, ...c });
}

/** The control message an endpoint without recovery answers with. */
export const UNSUPPORTED_CONTROL = /* @__PURE__ */ JSON.stringify({ $wse: CONTROL_TAG, unsupported: true });

/** Parses a control message: the fields, `"unsupported"`, or undefined when `text` is not one. */
export function parseControl(text: string): RecoveryControl | "unsupported" | undefined {
  if (!text.startsWith('{"$wse":')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = v as Record<string, unknown>;
  if (o.$wse !== CONTROL_TAG) return undefined;
  if (o.unsupported === true) return "unsupported";
  if (typeof o.session !== "string" || typeof o.token !== "string" || typeof o.offset !== "number" || typeof o.recovered !== "boolean") return undefined;
  const refused = typeof o.refused === "string" ? (o.refused as RecoveryRefusal) : undefined;
  return { session: o.session, token: o.token, offset: o.offset, recovered: o.recovered, ...(refused === undefined ? {} : { refused }) };
}

/** What a client asked for in its upgrade query: nothing, a new recoverable session, or a recovery. */
export type RecoveryAsk = null | { readonly token: ""; readonly offset: 0 } | { readonly token: string; readonly offset: number };

/** Reads the recovery parameters of an upgrade query string (without the `?`). */
export function readAsk(query: string): RecoveryAsk {
  if (!query.includes(TOKEN_PARAM)) return null;
  const params = new URLSearchParams(query);
  const token = params.get(TOKEN_PARAM);
  if (token === null) return null;
  if (token === "") return { token: "", offset: 0 };
  const offset = Number(params.get(OFFSET_PARAM) ?? "0");
  return { token, offset: Number.isSafeInteger(offset) && offset >= 0 ? offset : -1 };
}

/** Adds the recovery parameters to a URL: a new session (`token` undefined) or a recovery. */
export function withAsk(url: string, token: string | undefined, offset: number): string {
  const u = new URL(url);
  u.searchParams.set(TOKEN_PARAM, token ?? "");
  if (token !== undefined) u.searchParams.set(OFFSET_PARAM, String(offset));
  else u.searchParams.delete(OFFSET_PARAM);
  return u.toString();
}
