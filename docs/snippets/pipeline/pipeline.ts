// The example of docs/pipeline.md; pipeline.test.ts runs it.
import { IsString } from "class-validator";
import { injectable } from "tsyringe";
import { OnMessage, ServerEndpoint } from "ws-endpoints";
import { ErrorFilters, Guard, Intercept, errorFilter, type CallNext, type PipelineContext } from "ws-endpoints/pipeline";

interface User {
  readonly name: string;
  readonly roles: readonly string[];
}

export class NotFound extends Error {}

/** An injectable guard: resolved once through the container, so it may take services in its constructor. */
@injectable()
export class SignedIn {
  canActivate(context: PipelineContext): boolean {
    return context.principal !== undefined;
  }
}

/** A function guard that reads the message type. */
const adminsOnlyForDelete = (context: PipelineContext): boolean =>
  context.messageType !== "delete" || ((context.principal as User | undefined)?.roles.includes("admin") ?? false);

/** An interceptor that times the handler and logs; what it returns is the reply. */
export const timed = (log: (line: string) => void) => async (context: PipelineContext, next: CallNext) => {
  const started = performance.now();
  try {
    return await next();
  } finally {
    log(`${context.handler} ${(performance.now() - started).toFixed(1)} ms`);
  }
};

export class Remove {
  @IsString() item!: string;
}

@ServerEndpoint("/items")
@Guard(SignedIn)
@Intercept((context, next) => {
  const reply = next();
  // Wraps every reply of this endpoint; sync and async handlers alike.
  return reply instanceof Promise ? reply.then((r) => ({ ok: true, ...r })) : { ok: true, ...(reply as object) };
})
@ErrorFilters(errorFilter([NotFound], (e) => ({ reply: { type: "error", code: "NOT_FOUND", message: e.message } })))
export class ItemsEndpoint {
  @Guard(adminsOnlyForDelete)
  @OnMessage({ type: "delete" })
  delete(body: Remove): object {
    if (body.item !== "a") throw new NotFound(`no item ${body.item}`);
    return { type: "deleted", item: body.item };
  }
}
