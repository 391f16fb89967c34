/**
 * Durations written the way people write them in configuration: a number of milliseconds, or a string
 * of a number and a unit ("500ms", "30s", "2m", "1h"). Parsed once, at bootstrap.
 */
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** Milliseconds of `value`, or a sentence saying what is wrong with it (for the options error). */
export function parseDuration(name: string, value: unknown): number | string {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value > 0) return value;
    return `${name} must be a positive integer of ms or a string like "30s", "2m", "1h"; got ${String(value)}`;
  }
  if (typeof value === "string") {
    const m = PATTERN.exec(value.trim());
    if (m !== null) {
      const ms = Math.round(Number(m[1]) * UNITS[m[2]!]!);
      if (ms > 0) return ms;
    }
    return `${name} must be a positive duration like "500ms", "30s", "2m" or "1h" (or ms as a number); got ${JSON.stringify(value)}`;
  }
  return `${name} must be a duration like "2m" or a number of ms; got ${value === null ? "null" : typeof value}`;
}
