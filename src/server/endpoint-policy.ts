import { injectable } from "tsyringe";
import type { CompiledEndpoint } from "../endpoint/compiled.js";
import type { DefinitionProblem } from "../errors.js";
import { checkOutbound, type OutboundLimits, type OutboundOptions } from "../session/outbound-options.js";
import { pickOutbound, type ResolvedOptions } from "./options.js";
import { checkRateLimit, resolveRateLimit, type RateLimitOptions, type ResolvedRateLimit } from "../runtime/rate-limit.js";
import { Configurator } from "../handshake/configurator.js";
import { checkDeflate, wsDeflateOptions, type PerMessageDeflateOptions } from "../handshake/deflate.js";
import { checkBoolean, checkDuration, checkInteger } from "../util/check-options.js";
import { resolveRecovery, type ResolvedRecovery } from "../recovery/recovery-options.js";

/** @hidden Everything the handshake and the session runtime need about one endpoint, resolved at bootstrap. */
export interface EndpointPolicy {
  readonly configurator: Configurator;
  readonly requireSubprotocol: boolean;
  readonly maxConnections: number;
  readonly heartbeatInterval: number;
  readonly maxIdleTimeout: number;
  readonly rateLimit: ResolvedRateLimit | null;
  readonly outbound: OutboundLimits;
  readonly perMessageDeflate: ReturnType<typeof wsDeflateOptions>;
  /** Session recovery; null: off. */
  readonly recovery: ResolvedRecovery | null;
}

const HOOKS = ["checkOrigin", "authenticate", "modifyHandshake", "getNegotiatedSubprotocol", "getEndpointInstance"] as const;

/**
 * Resolves each endpoint's handshake and limit settings over the server's, reporting bad endpoint
 * options as definition problems (so bootstrap fails once, with everything).
 */
export function resolvePolicies(
  endpoints: readonly CompiledEndpoint[],
  settings: ResolvedOptions,
  problems: DefinitionProblem[],
): Map<CompiledEndpoint, EndpointPolicy> {
  const configurators = new Map<unknown, Configurator>();
  const configuratorOf = (value: unknown, where: string): Configurator => {
    let c = configurators.get(value);
    if (c === undefined) {
      c = instantiate(value, settings, where, problems);
      configurators.set(value, c);
    }
    return c;
  };
  const global = settings.configurator === undefined ? new Configurator() : configuratorOf(settings.configurator, "bootstrap option configurator");
  const out = new Map<CompiledEndpoint, EndpointPolicy>();
  for (const ep of endpoints) {
    const o = ep.options;
    const issues: string[] = [
      ...checkRateLimit(o.rateLimit, "rateLimit"),
      ...checkOutbound(o.outbound, "outbound"),
      ...checkDeflate(o.perMessageDeflate, "perMessageDeflate"),
    ];
    // The same checkers and wording as the bootstrap options these override.
    checkInteger(issues, "maxConnections", o.maxConnections);
    checkDuration(issues, "heartbeatInterval", o.heartbeatInterval, { zeroDisables: true });
    checkDuration(issues, "maxIdleTimeout", o.maxIdleTimeout, { zeroDisables: true });
    checkDuration(issues, "sendTimeout", o.sendTimeout, { zeroDisables: true });
    checkBoolean(issues, "requireSubprotocol", o.requireSubprotocol);
    if (o.requireSubprotocol === true && (o.subprotocols ?? []).length === 0) {
      issues.push("requireSubprotocol is true but subprotocols is empty, so every upgrade would be refused");
    }
    const recovery = resolveRecovery(o.recovery, issues);
    if (recovery !== null && (o.outbound?.policy ?? settings.outbound.policy) === "drop-oldest") {
      issues.push('recovery cannot be combined with outbound.policy "drop-oldest": a message dropped after it was numbered would shift every later offset; use "await", "drop-newest" or "close"');
    }
    for (const problem of issues) problems.push({ where: ep.name, problem: `@ServerEndpoint ${problem}.`, fix: "correct the option in the @ServerEndpoint declaration (see docs/security.md)." });
    const sendTimeout = typeof o.sendTimeout === "number" ? o.sendTimeout : settings.sendTimeout;
    out.set(
      ep,
      Object.freeze({
        configurator: o.configurator === undefined ? global : configuratorOf(o.configurator, `${ep.name} option configurator`),
        requireSubprotocol: o.requireSubprotocol === true,
        maxConnections: typeof o.maxConnections === "number" ? o.maxConnections : Infinity,
        heartbeatInterval: typeof o.heartbeatInterval === "number" ? o.heartbeatInterval : settings.heartbeatInterval,
        maxIdleTimeout: typeof o.maxIdleTimeout === "number" ? o.maxIdleTimeout : settings.maxIdleTimeout,
        rateLimit: issues.length > 0 ? null : resolveRateLimit((o.rateLimit as RateLimitOptions | false | undefined) ?? settings.rateLimit),
        outbound: Object.freeze({ ...settings.outbound, ...pickOutbound(o.outbound as OutboundOptions | undefined), sendTimeout }),
        perMessageDeflate: wsDeflateOptions((o.perMessageDeflate as boolean | PerMessageDeflateOptions | undefined) ?? settings.perMessageDeflate),
        recovery,
      }),
    );
  }
  return out;
}

/** A class is built once through the DI container (so it can inject services); an object is used as is. */
function instantiate(value: unknown, settings: ResolvedOptions, where: string, problems: DefinitionProblem[]): Configurator {
  if (value instanceof Configurator) return value;
  if (typeof value === "function") {
    try {
      injectable()(value as new () => unknown);
      const instance = settings.container.resolve(value as new () => unknown);
      return adapt(instance);
    } catch (error) {
      problems.push({ where, problem: `the configurator class ${value.name} could not be created: ${(error as Error)?.message ?? String(error)}.`, fix: "give it a constructor the DI container can satisfy." });
      return new Configurator();
    }
  }
  if (typeof value === "object" && value !== null) return adapt(value);
  problems.push({ where, problem: `configurator is ${typeof value}.`, fix: "pass a Configurator subclass or an instance of one." });
  return new Configurator();
}

/** Objects that implement only some hooks get the defaults for the rest. */
function adapt(instance: unknown): Configurator {
  if (instance instanceof Configurator) return instance;
  const c = new Configurator();
  const source = instance as Record<string, unknown>;
  for (const hook of HOOKS) {
    const fn = source[hook];
    if (typeof fn === "function") (c as unknown as Record<string, unknown>)[hook] = fn.bind(instance);
  }
  return c;
}
