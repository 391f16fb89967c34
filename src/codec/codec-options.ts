import type { ClassTransformOptions } from "class-transformer";
import type { ValidatorOptions } from "class-validator";
import { checkOneOf } from "../util/check-options.js";
import type { DecoderClass, EncoderClass } from "./coders.js";

/** What happens to a message that cannot be decoded or validated (besides reaching `@OnError`). */
export const InvalidMessagePolicies = {
  /** Send an error message to the peer (see the codecs guide for its shape); the session stays open. */
  REPLY: "reply",
  /** Close the session with 1007 (invalid payload data). */
  CLOSE_1007: "close-1007",
  /** Close the session with 1008 (policy violation). */
  CLOSE_1008: "close-1008",
  /** Only `@OnError` hears of it; without an `@OnError` the session closes with 1007. */
  ON_ERROR: "on-error",
} as const;
/** One of the {@link InvalidMessagePolicies} values. */
export type InvalidMessagePolicy = (typeof InvalidMessagePolicies)[keyof typeof InvalidMessagePolicies];
/** @deprecated Renamed {@link InvalidMessagePolicies} (one style for public constant objects); removed in the next release. */
export const INVALID_MESSAGE_POLICY = InvalidMessagePolicies;

/** class-validator and class-transformer options for DTO payloads. */
export interface ValidationOptions {
  /** Passed to class-validator `validate` (defaults: whitelist, forbidNonWhitelisted, forbidUnknownValues). */
  validator?: ValidatorOptions | undefined;
  /** Passed to class-transformer `plainToInstance` (default: no implicit conversion). */
  transformer?: ClassTransformOptions | undefined;
}

/** JSON envelope fields used by typed routing (`@OnMessage({ type })`) and reply correlation. */
export interface EnvelopeOptions {
  /** Discriminator field (default `"type"`). */
  typeField?: string | undefined;
  /** Field holding the payload; `null` (default) means the payload is the envelope itself, minus type and id. */
  dataField?: string | null | undefined;
  /** Correlation field echoed in replies (default `"id"`); `null` turns correlation off. */
  idField?: string | null | undefined;
}

/**
 * Codec settings. Per endpoint, give them directly in `@ServerEndpoint({ path, decoders, ... })`; for every
 * endpoint, in `bootstrap({ codecs: { ... } })`. Endpoint coders are tried before global ones; endpoint
 * `validation`/`envelope` fields override global ones field by field.
 */
export interface CodecOptions {
  /** Decoder classes (`Decoder.Text` / `Decoder.Binary` implementations with `static decodes`). */
  decoders?: readonly DecoderClass[] | undefined;
  /** Encoder classes (`Encoder.Text` / `Encoder.Binary` implementations with `static encodes`). */
  encoders?: readonly EncoderClass[] | undefined;
  /** DTO validation options. */
  validation?: ValidationOptions | undefined;
  /** Policy for undecodable or invalid messages (default `"reply"`). */
  invalidMessages?: InvalidMessagePolicy | undefined;
  /** Envelope field names. */
  envelope?: EnvelopeOptions | undefined;
}

/** Envelope fields the message router reads. */
export interface RoutingSettings {
  readonly typeField: string;
  readonly dataField: string | null;
  readonly idField: string | null;
}

/** The frozen, merged codec settings of one endpoint. */
export interface EndpointCodecSettings {
  readonly decoders: readonly DecoderClass[];
  readonly encoders: readonly EncoderClass[];
  readonly validator: Readonly<ValidatorOptions>;
  readonly transformer: Readonly<ClassTransformOptions>;
  readonly invalidMessages: InvalidMessagePolicy;
  readonly typeField: string;
  readonly dataField: string | null;
  readonly idField: string | null;
}

const VALIDATOR_DEFAULTS: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
});
// Values and targets stay out of errors: they would echo the peer's input into logs and replies.
const VALIDATOR_FORCED: ValidatorOptions = Object.freeze({ validationError: { target: false, value: false } });
const TRANSFORMER_DEFAULTS: ClassTransformOptions = Object.freeze({ enableImplicitConversion: false });

const CODEC_KEYS = ["decoders", "encoders", "validation", "invalidMessages", "envelope"] as const;
const POLICIES: readonly string[] = Object.values(InvalidMessagePolicies);

/** The codec option keys an `@ServerEndpoint` may carry. */
export const ENDPOINT_CODEC_KEYS: readonly string[] = CODEC_KEYS;

/** Checks codec options; returns one sentence per problem, each naming `where` and the field. */
export function checkCodecOptions(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== "object") return [`${where} must be an object`];
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["decoders", "encoders"] as const) {
    const list = o[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push(`${where}.${key} must be an array of classes`);
      continue;
    }
    const field = key === "decoders" ? "decodes" : "encodes";
    list.forEach((c: unknown, i) => {
      const name = typeof c === "function" ? c.name || "anonymous class" : String(c);
      if (typeof c !== "function") problems.push(`${where}.${key}[${i}] is ${name}, not a class`);
      else if (typeof (c as unknown as Record<string, unknown>)[field] !== "function") {
        problems.push(`${where}.${key}[${i}] (${name}) has no static "${field}" naming the class it handles (e.g. static readonly ${field} = ChatMessage)`);
      } else if (typeof (c.prototype as Record<string, unknown>)[key === "decoders" ? "decode" : "encode"] !== "function") {
        problems.push(`${where}.${key}[${i}] (${name}) has no ${key === "decoders" ? "decode" : "encode"}() method`);
      }
    });
  }
  checkOneOf(problems, `${where}.invalidMessages`, o.invalidMessages, POLICIES);
  const v = o.validation as Record<string, unknown> | undefined;
  if (v !== undefined && (v === null || typeof v !== "object" || (v.validator !== undefined && typeof v.validator !== "object") || (v.transformer !== undefined && typeof v.transformer !== "object"))) {
    problems.push(`${where}.validation must be { validator?: ValidatorOptions, transformer?: ClassTransformOptions }`);
  }
  const e = o.envelope as Record<string, unknown> | undefined;
  if (e !== undefined) {
    if (e === null || typeof e !== "object") problems.push(`${where}.envelope must be an object`);
    else {
      if (e.typeField !== undefined && !nonEmpty(e.typeField)) problems.push(`${where}.envelope.typeField must be a non-empty string`);
      for (const f of ["dataField", "idField"] as const) {
        if (e[f] !== undefined && e[f] !== null && !nonEmpty(e[f])) problems.push(`${where}.envelope.${f} must be a non-empty string or null`);
      }
    }
  }
  return problems;
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v.length > 0;
}

/** Merges global and endpoint codec options (endpoint wins) into frozen settings. Options must be checked first. */
export function mergeCodecSettings(global: CodecOptions | undefined, endpoint: CodecOptions): EndpointCodecSettings {
  const g = global ?? {};
  // Field by field: an endpoint's `typeField: undefined` means "not set here", not "override with nothing".
  const field = <K extends keyof EnvelopeOptions>(k: K): EnvelopeOptions[K] => (endpoint.envelope?.[k] !== undefined ? endpoint.envelope[k] : g.envelope?.[k]);
  const envelope = { typeField: field("typeField"), dataField: field("dataField"), idField: field("idField") };
  return Object.freeze({
    decoders: Object.freeze([...(endpoint.decoders ?? []), ...(g.decoders ?? [])]),
    encoders: Object.freeze([...(endpoint.encoders ?? []), ...(g.encoders ?? [])]),
    validator: Object.freeze({ ...VALIDATOR_DEFAULTS, ...g.validation?.validator, ...endpoint.validation?.validator, ...VALIDATOR_FORCED }),
    transformer: Object.freeze({ ...TRANSFORMER_DEFAULTS, ...g.validation?.transformer, ...endpoint.validation?.transformer }),
    invalidMessages: endpoint.invalidMessages ?? g.invalidMessages ?? InvalidMessagePolicies.REPLY,
    typeField: envelope.typeField ?? "type",
    dataField: envelope.dataField === undefined ? null : envelope.dataField,
    idField: envelope.idField === undefined ? "id" : envelope.idField,
  });
}

/** The codec options carried by `@ServerEndpoint` options. */
export function endpointCodecOptions(options: Readonly<Record<string, unknown>>): CodecOptions {
  const out: Record<string, unknown> = {};
  for (const key of CODEC_KEYS) if (options[key] !== undefined) out[key] = options[key];
  return out as CodecOptions;
}
