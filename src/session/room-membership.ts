import type { Session } from "./session.js";

/**
 * What a session tells the room registry about itself once the registry has bound it (`bindRegistry`).
 * Declared here, implemented by `broker/rooms.ts:RoomRegistry`, so session/ never imports broker/: the
 * session only reports, the registry owns the indexes and the presence changes they cause.
 * Parameters are typed `Session`; the registry's methods take the implementation class (method bivariance).
 */
export interface RoomMembership {
  /** The session joined `room` (called only for a room it was not in). */
  joined(session: Session, room: string): void;
  /** The session left `room` (called only for a room it was in). */
  left(session: Session, room: string): void;
  /** A user property changed: the user id may have too. */
  userMayHaveChanged(session: Session): void;
  /** The session started closing: it leaves every room and presence. Idempotent. */
  remove(session: Session): void;
}
