/**
 * The browser client's answers to the server's requests (`session.request` → `handle`): the `$reply`
 * text for what the handler returned or threw.
 */
import { encode, type Envelope, type Json } from "./envelope.js";

/** A `handle` handler. */
export type Handler = (payload: never) => unknown;

/**
 * The `$reply` to request `id` of `type`: `ok` with the handler's result, or `ok: false` with `NO_HANDLER`
 * (none registered) or `HANDLER_FAILED` (it threw or rejected; the error also goes to `onError`).
 * `$reply` is always data-wrapped, whatever `dataField` says: ok and data/error beside the type and id.
 */
export async function answer(s: Envelope & { onError(error: unknown): void }, handler: Handler | undefined, type: string, id: string, payload: unknown): Promise<string> {
  const reply = (body: Json) => encode({ ...s, dataField: null }, "$reply", body, id);
  try {
    if (!handler) throw Object.assign(new Error(`The client has no handler for "${type}".`), { code: "NO_HANDLER" });
    const data = await handler(payload as never);
    return reply({ ok: true, data: data === undefined ? null : data });
  } catch (e) {
    const code = (e as { code?: unknown }).code === "NO_HANDLER" ? "NO_HANDLER" : "HANDLER_FAILED";
    if (code === "HANDLER_FAILED") s.onError(e);
    return reply({ ok: false, error: { code, message: e instanceof Error ? e.message : String(e) } });
  }
}
