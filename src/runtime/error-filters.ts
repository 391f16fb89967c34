import type { CompiledEndpointBase, CompiledErrorFilter, CompiledHandler } from "../endpoint/compiled.js";
import type { Logger } from "../metrics/logger.js";
import type { WsSession } from "../session/ws-session.js";
import { ForbiddenError } from "../errors.js";
import { CloseCodes, isSendableCloseCode, MAX_REASON_BYTES, truncateUtf8 } from "../close-reason.js";
import type { ErrorFilterResult } from "../pipeline/types.js";
import { isThenable } from "../util/thenable.js";
import { submitReply } from "./reply.js";

// The failure side of the pipeline: error filters and guard refusals, before @OnError, and the app-wide
// `onError` hook for what nothing handled. Only failures come here.

/** What the failure side needs of the failing session's dispatcher (error-routing.ts's `ErrorHost` has it). */
export interface FilterHost {
  readonly endpoint: CompiledEndpointBase;
  readonly session: WsSession;
  readonly logger: Logger;
}

/**
 * Lets the nearest matching error filter (the endpoint's, then the global ones) answer `error`; a
 * `ForbiddenError` no filter took is answered per the refusal policy. True: handled, @OnError is not told.
 */
export function filterError(host: FilterHost, error: Error, failedIn: CompiledHandler | null, replyId: unknown): boolean {
  const ep = host.endpoint;
  const session = host.session;
  const p = ep.pipeline;
  let outcome: ErrorFilterResult | undefined | null;
  if (p !== null) {
    const f = nearest(p.filters, error) ?? nearest(p.global, error);
    if (f !== undefined) {
      try {
        outcome = f.filter.catch(error, { session, endpoint: ep.type, handler: failedIn?.label });
      } catch (thrown) {
        // A broken filter must not hide the error: it goes on to @OnError.
        host.logger.error({ err: thrown, session: session.id }, `${ep.name}: an error filter threw`);
        outcome = undefined;
      }
    }
  }
  if (outcome === undefined || outcome === null) {
    if (!(error instanceof ForbiddenError)) return false;
    host.logger.debug({ err: error, session: session.id }, `${ep.name}: refused`);
    if (failedIn !== null && failedIn === ep.onOpen) outcome = REFUSED_SESSION;
    else if (p !== null && p.guardRefusal === "close") outcome = REFUSED_SESSION;
    else outcome = { reply: { [ep.replies.typeField]: "error", code: "FORBIDDEN", errors: [] } };
  }
  if (outcome.reply !== undefined && session.isOpen()) {
    try {
      const refused = submitReply(session, outcome.reply, replyId, ep.replies.idField);
      if (refused) host.logger.debug({ err: refused, session: session.id }, "error reply not sent");
    } catch (encodeError) {
      host.logger.error({ err: encodeError, session: session.id }, `${ep.name}: an error filter's reply could not be encoded`);
    }
  }
  if (outcome.close !== undefined) {
    let code = outcome.close;
    if (!isSendableCloseCode(code)) {
      host.logger.warn({ err: error, session: session.id }, `${ep.name}: an error filter chose close code ${String(code)}, which may not be sent; closing with 1011`);
      code = CloseCodes.UNEXPECTED_CONDITION;
    }
    session.closeWith(code, truncateUtf8(typeof outcome.reason === "string" ? outcome.reason : "", MAX_REASON_BYTES));
  }
  return true;
}

const REFUSED_SESSION: ErrorFilterResult = Object.freeze({ close: CloseCodes.VIOLATED_POLICY, reason: "forbidden" });

/** The filter whose class is nearest `error`'s own class in its prototype chain; the first declared on a tie. */
function nearest(filters: readonly CompiledErrorFilter[], error: Error): CompiledErrorFilter | undefined {
  let best: CompiledErrorFilter | undefined;
  let bestDistance = Infinity;
  for (const f of filters) {
    for (const c of f.catches) {
      if (!(error instanceof c)) continue;
      let d = 0;
      for (let proto = Object.getPrototypeOf(error) as object | null; proto !== null && proto !== c.prototype; proto = Object.getPrototypeOf(proto) as object | null) d++;
      if (d < bestDistance) {
        best = f;
        bestDistance = d;
      }
    }
  }
  return best;
}

/** Tells the app-wide `onError` hook, if any, of an error nothing handled; its own failure is logged. */
export function reportUnhandled(host: FilterHost, error: unknown, handler: string | undefined): void {
  const hook = host.endpoint.pipeline?.onError;
  if (hook == null) return;
  const log = (e: unknown): void => host.logger.error({ err: e, session: host.session.id }, "the onError hook failed");
  try {
    const r = hook(error instanceof Error ? error : new Error(String(error)), { session: host.session, endpoint: host.endpoint.type, handler });
    if (isThenable(r)) r.then(undefined, log);
  } catch (e) {
    log(e);
  }
}
