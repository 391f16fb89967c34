import { plainToInstance } from "class-transformer";
import { getMetadataStorage, type ValidationError } from "class-validator";
import { DecodeError, type FieldError } from "../errors.js";
import type { EndpointCodecSettings } from "./codec-options.js";
import { DecodeReasons } from "./decode-reasons.js";
import { parseJson } from "./parse-json.js";
import type { PayloadBinding } from "./payload.js";
import { validateNow } from "./validate.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DtoClass = new (...args: any[]) => object;

const NOT_AN_OBJECT: readonly FieldError[] = Object.freeze([
  Object.freeze({ path: "", constraints: Object.freeze({ isObject: "the payload must be a JSON object" }) }),
]);

/** Whether class-validator knows any rule for `type` (own or inherited), i.e. it can serve as a DTO. */
export function hasValidationRules(type: unknown): boolean {
  if (typeof type !== "function") return false;
  return getMetadataStorage().getTargetValidationMetadatas(type, "", true, false).length > 0;
}

/**
 * The binding of a DTO class: JSON → `plainToInstance` → `validate`. Options are merged and frozen once
 * here; per message only the two library calls run, and the result is synchronous unless a validator
 * is (so the session's queue does not wait a microtask round trip per message).
 */
export function dtoBinding(type: DtoClass, settings: EndpointCodecSettings): PayloadBinding {
  const { validator, transformer } = settings;
  const fromJson = (value: unknown, raw: Buffer, replyId: unknown): object | Promise<object> => validated(type, value, raw, replyId, validator, transformer);
  return Object.freeze({
    kind: "text" as const,
    source: `DTO ${type.name}`,
    decode: (data: Buffer): object | Promise<object> => {
      const value = parseJson(data);
      if (value === undefined) throw invalidJson(data, undefined);
      return fromJson(value, data, undefined);
    },
    fromJson,
  });
}

/** A `DecodeError` for text that is not JSON. */
export function invalidJson(raw: Buffer, replyId: unknown): DecodeError {
  return new DecodeError(DecodeReasons.INVALID_JSON, "The message is not valid JSON.", raw, {
    errors: [{ path: "", constraints: { isJson: "the message must be valid JSON" } }],
    replyId,
  });
}

function validated(
  type: DtoClass,
  value: unknown,
  raw: Buffer,
  replyId: unknown,
  validator: EndpointCodecSettings["validator"],
  transformer: EndpointCodecSettings["transformer"],
): object | Promise<object> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DecodeError(DecodeReasons.VALIDATION_FAILED, `The message is not a valid ${type.name}: the payload must be a JSON object.`, raw, {
      errors: NOT_AN_OBJECT,
      replyId,
    });
  }
  let errors: ValidationError[] | Promise<ValidationError[]>;
  let instance: object;
  try {
    instance = plainToInstance(type, value, transformer) as object;
    errors = validateNow(instance, validator);
  } catch (error) {
    throw unvalidatable(type, raw, replyId, error);
  }
  if (Array.isArray(errors)) return checked(type, instance, errors, raw, replyId);
  return errors.then(
    (e) => checked(type, instance, e, raw, replyId),
    (error: unknown) => {
      throw unvalidatable(type, raw, replyId, error);
    },
  );
}

// Hostile shapes (deep nesting, getters on odd prototypes) must end as a DecodeError, never escape.
function unvalidatable(type: DtoClass, raw: Buffer, replyId: unknown, error: unknown): DecodeError {
  return new DecodeError(DecodeReasons.VALIDATION_FAILED, `The message could not be validated as ${type.name}: ${(error as Error)?.message ?? String(error)}`, raw, {
    cause: error,
    errors: NOT_AN_OBJECT,
    replyId,
  });
}

function checked(type: DtoClass, instance: object, errors: ValidationError[], raw: Buffer, replyId: unknown): object {
  if (errors.length > 0) {
    const fields = fieldErrors(errors);
    throw new DecodeError(
      DecodeReasons.VALIDATION_FAILED,
      `The message is not a valid ${type.name}: ${fields.map((f) => f.path || "(message)").join(", ")} invalid.`,
      raw,
      { errors: fields, replyId },
    );
  }
  return instance;
}

/** Flattens class-validator's tree into dotted paths (`author.name`, `tags.2`). */
export function fieldErrors(errors: readonly ValidationError[]): FieldError[] {
  const out: FieldError[] = [];
  flatten(errors, "", out);
  return out;
}

function flatten(errors: readonly ValidationError[], prefix: string, out: FieldError[]): void {
  for (const e of errors) {
    const path = prefix === "" ? String(e.property ?? "") : `${prefix}.${String(e.property)}`;
    if (e.constraints && Object.keys(e.constraints).length > 0) out.push({ path, constraints: { ...e.constraints } });
    if (e.children && e.children.length > 0) flatten(e.children, path, out);
  }
}
