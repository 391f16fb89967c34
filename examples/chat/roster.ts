import { injectable } from "tsyringe";
import type { Session } from "ws-endpoints";

/**
 * Who is online, by nickname. One per application (registered as a singleton by `createChatContainer`),
 * shared by every connection's endpoint instance.
 */
@injectable()
export class Roster {
  private readonly byName = new Map<string, Session>();

  /** Adds `user`; false when the nickname is already taken by an open session. */
  join(user: string, session: Session): boolean {
    const current = this.byName.get(user);
    if (current && current !== session && current.isOpen()) return false;
    this.byName.set(user, session);
    return true;
  }

  /** Removes `user` if `session` is the one holding the name. */
  leave(user: string, session: Session): boolean {
    if (this.byName.get(user) !== session) return false;
    this.byName.delete(user);
    return true;
  }

  find(user: string): Session | undefined {
    return this.byName.get(user);
  }

  get size(): number {
    return this.byName.size;
  }

  users(): string[] {
    return [...this.byName.keys()].sort();
  }

  sessions(): IterableIterator<Session> {
    return this.byName.values();
  }
}
