/** Parses a JSON message, or returns `undefined` when it is not JSON (never throws). */
export function parseJson(data: Buffer | string): unknown {
  try {
    return JSON.parse(typeof data === "string" ? data : data.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
