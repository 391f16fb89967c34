import { deserialize } from "node:v8";
import { BrokerMessageKinds, PayloadKinds, type BrokerMessage } from "../broker/broker.js";
import type { BroadcastHub } from "../broker/hub.js";
import { CONTROL_ROOM } from "../broker/hub.js";
import type { RoomRegistry } from "../broker/rooms.js";
import type { Logger } from "../metrics/logger.js";
import type { WsSession } from "../session/ws-session.js";
import type { StoredMessage } from "./store.js";

/** The store's owner of a session that nobody holds: it was let go without a hand-over (its node shut down). */
export const OWNER_GONE = "-";

/** One control message of the hand-over: `h` asks node `from` to let go of session `s` for node `to`; `a` answers. */
interface Control {
  readonly t: "h" | "a";
  readonly s: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The hand-over of a session between two live nodes (docs/internals.md, "Session hand-over"). The node
 * taking the session over starts taking its messages, then asks the holder, through the broker and
 * after everything it published itself, to let go. The holder stops taking the session's messages as
 * that request arrives, waits until the store has everything it took, and answers. Every message is
 * then in the store (delivered on the holder before the request) or taken by the new node (after it),
 * or both: the two are merged by message id.
 */
export class Handovers {
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly hub: BroadcastHub,
    private readonly timeout: number,
    private readonly logger: Logger,
    /** Stops holding the session on this node; resolves once the store has everything this node took for it. */
    private readonly letGo: (sessionId: string) => Promise<void>,
  ) {
    hub.control = (data) => this.received(data);
  }

  /** Asks `owner` to let go of the session; true once it did, false when it did not answer within the timeout (dead, or unreachable). */
  ask(sessionId: string, owner: string): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (answered: boolean): void => {
        clearTimeout(timer);
        if (this.waiting.get(sessionId) === onAnswer) this.waiting.delete(sessionId);
        resolve(answered);
      };
      const onAnswer = (): void => done(true);
      const timer = setTimeout(() => done(false), this.timeout);
      this.waiting.set(sessionId, onAnswer);
      void this.hub.publishControl(encode({ t: "h", s: sessionId, from: owner, to: this.hub.nodeId })).then((sent) => {
        if (!sent) done(false);
      });
    });
  }

  private received(data: Buffer): void {
    let c: Control;
    try {
      c = JSON.parse(data.toString("utf8")) as Control;
    } catch {
      return;
    }
    if (c.t === "a" && c.to === this.hub.nodeId) this.waiting.get(c.s)?.();
    else if (c.t === "h" && c.from === this.hub.nodeId) {
      this.letGo(c.s).then(
        () => this.hub.publishControl(encode({ t: "a", s: c.s, from: c.from, to: c.to })),
        (error: unknown) => this.logger.warn({ err: error }, "session recovery: letting go of a session failed; the node taking it over replays what it can"),
      );
    }
  }
}

function encode(c: Control): Buffer {
  return Buffer.from(JSON.stringify(c), "utf8");
}

/**
 * What the broker replayed that was addressed to `ghost` (its rooms, its user), less what the store
 * holds (`stored` ids) and the first `ahead` of the dead holder's own messages (ids from `origin`): the
 * client received them from it before they reached the store. Offsets are assigned by {@link merge}.
 */
export function addressed(messages: readonly BrokerMessage[], ghost: WsSession, registry: RoomRegistry, stored: ReadonlySet<string>, ahead: number, origin: string | undefined): StoredMessage[] {
  const out: StoredMessage[] = [];
  let skip = ahead;
  for (const m of messages) {
    if (m.id !== undefined && stored.has(m.id)) continue;
    if (m.kind === BrokerMessageKinds.BROADCAST) {
      if (m.room === CONTROL_ROOM || (m.room !== undefined && !registry.members(m.room).has(ghost)) || m.except.includes(ghost.id)) continue;
    } else if (registry.userIdOf(ghost) !== m.userId) continue;
    if (skip > 0 && origin !== undefined && m.id !== undefined && m.id.startsWith(`${origin}:`)) {
      skip--;
      continue;
    }
    const p = m.payload;
    if (p.kind === PayloadKinds.OBJECT) {
      const { data, binary } = ghost.encode(deserialize(p.data));
      out.push({ offset: 0, binary, data, id: m.id });
    } else out.push({ offset: 0, binary: p.kind === PayloadKinds.BINARY, data: p.kind === PayloadKinds.TEXT ? p.data.toString("utf8") : p.data, id: m.id });
  }
  return out;
}

/**
 * The messages a session taken from another node gets after what the store held: the broker's replay
 * (when the holder died), then what this node took for it, each message once (by id, against the store
 * too), numbered from `start`. Messages without an id (from a node without recovery) are kept.
 */
export function merge(replayed: readonly StoredMessage[], taken: readonly StoredMessage[], stored: ReadonlySet<string>, start: number): StoredMessage[] {
  const seen = new Set(stored);
  const out: StoredMessage[] = [];
  let next = start;
  for (const list of [replayed, taken]) {
    for (const m of list) {
      if (m.id !== undefined) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
      }
      out.push({ offset: next++, binary: m.binary, data: m.data, id: m.id });
    }
  }
  return out;
}

/** The ids of stored messages, for a store that did not list them. */
export function idsOf(messages: readonly StoredMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) if (m.id !== undefined) ids.add(m.id);
  return ids;
}
