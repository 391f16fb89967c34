import { types } from "node:util";
import type { CompiledHandler } from "../endpoint/compiled.js";
import { HandlerError } from "../errors.js";

/**
 * @hidden What a user handler threw (or rejected with) and which handler it was. It only travels from
 * the throw to error routing: @OnError receives the thrown error itself, as Tyrus passes the cause of
 * the InvocationTargetException, and the handler's name goes to the log entry. Not an Error on purpose:
 * nothing outside the dispatcher ever sees one.
 */
export class HandlerFailure {
  constructor(
    readonly handler: CompiledHandler,
    readonly thrown: unknown,
  ) {}
}

/**
 * What @OnError receives for a thrown value: the value itself when it is an Error (from any realm);
 * anything else (a string, a number, a plain object) arrives as a `HandlerError` holding it in `cause`,
 * so the error parameter is always an Error with a message and a stack.
 */
export function deliverable(handler: string, thrown: unknown): Error {
  return thrown instanceof Error || types.isNativeError(thrown) ? (thrown as Error) : new HandlerError(handler, thrown);
}

/** The thrown value inside a {@link HandlerFailure}, or `raw` itself. */
export function thrownOf(raw: unknown): unknown {
  return raw instanceof HandlerFailure ? raw.thrown : raw;
}
