/** What `XINFO STREAM` says about where a stream begins and ends (a missing stream is empty). */
export interface StreamInfo {
  /** The last id Redis generated for it (`0-0` when it does not exist). */
  readonly lastId: string;
  /** The first entry still held, if any. */
  readonly firstId: string | undefined;
  /** The highest id ever removed (Redis 7+); absent on older servers or when nothing was removed. */
  readonly maxDeletedId: string | undefined;
}

/** Parses the flat `XINFO STREAM` reply (`null`: no such key). */
export function parseStreamInfo(reply: unknown): StreamInfo {
  if (!Array.isArray(reply)) return { lastId: "0-0", firstId: undefined, maxDeletedId: undefined };
  const field = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) field.set(String(reply[i]), reply[i + 1]);
  const first = field.get("first-entry");
  const maxDeleted = field.get("max-deleted-entry-id");
  return {
    lastId: String(field.get("last-generated-id") ?? "0-0"),
    firstId: Array.isArray(first) ? String(first[0]) : undefined,
    maxDeletedId: typeof maxDeleted === "string" && maxDeleted !== "0-0" ? maxDeleted : undefined,
  };
}

/** Orders two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am, as] = split(a);
  const [bm, bs] = split(b);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The millisecond part of a stream id (Redis's clock when it was added). */
export function idMs(id: string): number {
  return Number(split(id)[0]);
}

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf("-");
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}
