import type { ServerEndpointOptions } from "../../decorators/metadata.js";
import type { Configurator } from "../handshake/configurator.js";

/** AsyncAPI Security Scheme Objects by name, as a configurator declares them. */
export type SecuritySchemes = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What the generator can tell about an endpoint's handshake security. */
export interface HandshakeSecurity {
  /** Declared schemes (the configurator's static `securitySchemes`), possibly empty. */
  readonly schemes: SecuritySchemes;
  /** Notes for the channel description: what runs at the handshake that no scheme declares. */
  readonly notes: readonly string[];
}

/**
 * Reads what the endpoint's configurator declares. Only the `configurator` option is visible here: a
 * `bootstrap({ configurator })` one is not (generation works from classes), nor what an `authenticate`
 * hook does inside, so an overridden hook without declared schemes is noted in the description.
 */
export function handshakeSecurity(options: Readonly<ServerEndpointOptions>): HandshakeSecurity {
  const notes: string[] = [];
  const c = options.configurator;
  const type = (typeof c === "function" ? c : typeof c === "object" && c !== null ? c.constructor : undefined) as { name: string; prototype: object; securitySchemes?: unknown } | undefined;
  const declared = type?.securitySchemes;
  const schemes = declared !== null && typeof declared === "object" ? (declared as SecuritySchemes) : {};
  if (type !== undefined && Object.keys(schemes).length === 0) {
    if (overrides(type, "authenticate")) notes.push(`The handshake is authenticated by ${type.name}.authenticate; its scheme is not declared (give the configurator a static securitySchemes).`);
    if (overrides(type, "checkOrigin")) notes.push(`${type.name}.checkOrigin decides which browser origins may connect.`);
  }
  if (options.requireSubprotocol === true) notes.push(`Upgrades without one of the subprotocols (${(options.subprotocols ?? []).join(", ")}) are refused with HTTP 400.`);
  return { schemes, notes };
}

/**
 * Whether a configurator class defines `hook` itself rather than inheriting the base's. The base is the
 * root of its class chain (Configurator, which this layer may not import as a value).
 */
function overrides(type: { name: string; prototype: object }, hook: keyof Configurator): boolean {
  const proto = type.prototype as Record<string, unknown>;
  let base: object = proto;
  for (let p = Object.getPrototypeOf(base) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) base = p;
  if (typeof proto[hook] !== "function") return false;
  return base === proto ? type.name !== "Configurator" : proto[hook] !== (base as Record<string, unknown>)[hook];
}
