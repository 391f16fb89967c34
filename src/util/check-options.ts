/**
 * The one vocabulary of option checks: server, endpoint, client, Redis and rate-limit options all say
 * "`name` must be …; got …" the same way, and the HTTP token grammar exists once. Each checker appends
 * one sentence per bad field to `problems` and ignores `undefined` (an unset option, as
 * `{ port: process.env.PORT }` may leave it), so a caller reports every problem in one error.
 */

/** An RFC 9110 `token` (header names, subprotocol names). */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Largest delay Node timers accept; a larger one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// String() for numbers: JSON.stringify writes Infinity and NaN as null.
const got = (value: unknown): string => `; got ${typeof value === "number" ? String(value) : JSON.stringify(value)}`;

/** Whether `value` is an HTTP token. */
export function isHttpToken(value: unknown): value is string {
  return typeof value === "string" && HTTP_TOKEN.test(value);
}

/**
 * An integer of at least `min` (default 1) and at most `max`. A bounded range reads "an integer from
 * min to max"; an open one "a positive integer" (min 1) or "a non-negative integer" (min 0). `unit`
 * ("bytes", "ms") is named after the word integer.
 */
export function checkInteger(problems: string[], name: string, value: unknown, range: { min?: number; max?: number; unit?: string } = {}): void {
  if (value === undefined) return;
  const min = range.min ?? 1;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && (range.max === undefined || value <= range.max)) return;
  const unit = range.unit === undefined ? "" : ` of ${range.unit}`;
  const what =
    range.max !== undefined
      ? `an integer${unit} from ${min} to ${range.max}`
      : min === 1
        ? `a positive integer${unit}`
        : min === 0
          ? `a non-negative integer${unit}`
          : `an integer${unit} of at least ${min}`;
  problems.push(`${name} must be ${what}${got(value)}`);
}

/**
 * A delay in whole milliseconds: positive, or also 0 when `zeroDisables` (then the message says so).
 * `max` bounds it where a Node timer would otherwise overflow.
 */
export function checkDuration(problems: string[], name: string, value: unknown, options: { zeroDisables?: boolean; max?: number } = {}): void {
  if (value === undefined) return;
  const zero = options.zeroDisables === true;
  if (typeof value !== "number" || !Number.isInteger(value) || value < (zero ? 0 : 1)) {
    problems.push(`${name} must be a ${zero ? "non-negative" : "positive"} integer of ms${zero ? " (0 disables it)" : ""}${got(value)}`);
  } else if (options.max !== undefined && value > options.max) {
    problems.push(`${name} must be at most ${options.max} ms${zero ? " (use 0 to disable it)" : ""}${got(value)}`);
  }
}

/** A finite number greater than 0 (a rate, a factor). */
export function checkPositiveNumber(problems: string[], name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0)) problems.push(`${name} must be a positive number${got(value)}`);
}

/** `true` or `false`. */
export function checkBoolean(problems: string[], name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") problems.push(`${name} must be a boolean${got(value)}`);
}

/** One of `allowed`, listed quoted in the message. */
export function checkOneOf(problems: string[], name: string, value: unknown, allowed: readonly unknown[]): void {
  if (value === undefined || allowed.includes(value)) return;
  problems.push(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}${got(value)}`);
}

/** An array of HTTP tokens (subprotocol names). */
export function checkHttpTokens(problems: string[], name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every(isHttpToken)) problems.push(`${name} must be a list of HTTP tokens, e.g. ["chat.v1"]${got(value)}`);
}

/**
 * Keys of `value` that `known` does not list. `known` is typed `Record<keyof Options, true>` at the call
 * site, so the compiler keeps the list complete when an option is added.
 */
export function checkKnownKeys(problems: string[], where: string, value: object, known: Readonly<Record<string, true>>): void {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) problems.push(`unknown option "${where === "" ? key : `${where}.${key}`}" (known: ${Object.keys(known).join(", ")})`);
  }
}
