import { injectable, type DependencyContainer } from "tsyringe";
import { readConstructorParamTypes, type EndpointClass } from "../../decorators/metadata.js";
import type { DefinitionProblem } from "../errors.js";
import { Session } from "../session/session.js";
import { typeName } from "../util/type-name.js";

// tsyringe's key for @inject() tokens; read here only to report unresolvable constructors at bootstrap.
const INJECTION_TOKENS = "injectionTokens";

/**
 * Makes endpoint classes constructible by tsyringe without asking users for `@injectable()`, and reports
 * constructor parameters that cannot be resolved (interfaces without `@inject(token)`).
 */
export function prepareInjection(types: readonly EndpointClass[], problems: DefinitionProblem[]): void {
  for (const type of types) {
    const paramTypes = readConstructorParamTypes(type) ?? [];
    const tokens = (Reflect as unknown as { getOwnMetadata(k: string, t: object): Record<string, unknown> | undefined }).getOwnMetadata(INJECTION_TOKENS, type) ?? {};
    if (type.length > 0 && paramTypes.length === 0) {
      // esbuild/tsx emit no design:paramtypes; tsyringe then builds the constructor from @inject tokens alone.
      const untyped = Array.from({ length: type.length }, (_, i) => i).filter((i) => tokens[String(i)] === undefined);
      if (untyped.length > 0) {
        problems.push({
          where: type.name,
          problem:
            untyped.length === type.length
              ? "its constructor takes parameters but the compiler emitted no types for them."
              : `its constructor takes parameters but the compiler emitted no types for them, and parameter #${untyped.join(", #")} has no @inject(Token).`,
          fix: 'enable "emitDecoratorMetadata" in tsconfig.json, or inject each parameter with @inject(Token).',
        });
        continue;
      }
    }
    paramTypes.forEach((t, index) => {
      if (tokens[String(index)] !== undefined) return;
      if (t === undefined || t === Object || t === Function || t === String || t === Number || t === Boolean) {
        problems.push({
          where: `${type.name}.constructor`,
          parameterIndex: index,
          problem: `the type ${typeName(t)} cannot be injected.`,
          fix: "inject a class, or mark the parameter with @inject(token) and register the token in the container.",
        });
      }
    });
    injectable()(type);
  }
}

/**
 * Injection token of the connection's principal (what the configurator's `authenticate` returned), for
 * endpoint constructors: `constructor(@inject(PRINCIPAL) user: User)`.
 */
export const PRINCIPAL: unique symbol = Symbol.for("ws-endpoints:principal");

/** A per-connection child container that can also inject the connection's own `Session` and principal. */
export function connectionContainer(parent: DependencyContainer, session: Session): DependencyContainer {
  const child = parent.createChildContainer();
  // Session is abstract; tsyringe only needs it as a token here.
  child.register(Session as unknown as new () => Session, { useValue: session });
  // A factory, not useValue: tsyringe ignores an undefined value (anonymous connections).
  child.register(PRINCIPAL, { useFactory: () => session.getUserPrincipal() });
  return child;
}
