/**
 * The browser client's envelope: message text out, payloads and error replies in, with the endpoint's
 * field names (`codecs.envelope` on the server, `envelope` on the client).
 */
import { RequestError, type FieldError } from "./errors.js";

/** Envelope field names after defaults. */
export interface Envelope {
  readonly typeField: string;
  readonly idField: string;
  readonly dataField: string | null;
}

/** A decoded JSON object. */
export type Json = Record<string, unknown>;

/** The text of a message: the payload under `dataField`, or inline beside the type (which wins over a payload field of that name). */
export function encode(e: Envelope, type: string, payload: unknown, id: number | string | undefined): string {
  const m: Json = e.dataField ? { [e.typeField]: type, [e.dataField]: payload } : { [e.typeField]: type, ...(payload as Json) };
  m[e.typeField] = type;
  if (id !== undefined) m[e.idField] = id;
  return JSON.stringify(m);
}

/** The payload of an inbound message: the value under `dataField`, or the message minus its type and id. */
export function payloadOf(e: Envelope, m: Json): Json {
  if (e.dataField) return m[e.dataField] as Json;
  const payload = { ...m };
  delete payload[e.typeField];
  delete payload[e.idField];
  return payload;
}

/**
 * The error an error message stands for (`what` names what failed in the default message: the request
 * type, quoted, or "a message"). The framework's are inline (`code`, `errors`, `accepted`); an
 * application's may sit under `dataField`.
 */
export function requestError(m: Json, payload: unknown, what: string): RequestError {
  const b = (payload && typeof payload === "object" ? { ...m, ...payload } : m) as { code?: unknown; message?: unknown; errors?: unknown; accepted?: unknown };
  const code = typeof b.code === "string" ? b.code : "ERROR";
  const errors = Array.isArray(b.errors) ? (b.errors as FieldError[]) : [];
  const detail = errors.flatMap((f) => Object.values(f.constraints ?? {})).join("; ");
  const message = typeof b.message === "string" ? b.message : `${what} failed: ${code}${detail ? ` (${detail})` : ""}`;
  return new RequestError(code, message, errors, Array.isArray(b.accepted) ? (b.accepted as string[]) : undefined);
}
