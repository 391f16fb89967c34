/** Longest room name accepted, in UTF-16 code units. */
export const MAX_ROOM_NAME = 256;

/**
 * The one room-name rule, shared by `session.join` and the hub's `broadcast` / `presence` calls.
 * @throws TypeError/RangeError for an unusable room name.
 */
export function checkRoom(room: unknown, method: string): asserts room is string {
  if (typeof room !== "string" || room.length === 0) {
    throw new TypeError(`${method}: room must be a non-empty string; got ${room === "" ? '""' : typeof room}.`);
  }
  if (room.length > MAX_ROOM_NAME) throw new RangeError(`${method}: room name is ${room.length} characters; the limit is ${MAX_ROOM_NAME}.`);
}
