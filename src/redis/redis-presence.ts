import type { Cluster, Redis } from "ioredis";
import { PresenceChangeKinds, type PresenceChange, type PresenceEntry, type PresenceRecord } from "../broker/broker.js";

/**
 * Presence in Redis. Every key carries the hash tag `{prefix}`, so all of them live in one slot and the
 * scripts below also run on Redis Cluster.
 *
 * ```
 * {p}:nodes              SET  node ids that ever registered (pruned when found dead)
 * {p}:alive:<node>       STR  heartbeat; expires nodeTimeout ms after the last beat
 * {p}:s:<node>           HASH session id → user id ("" when none)
 * {p}:rooms:<node>       SET  rooms the node has sessions in
 * {p}:r:<node>:<room>    SET  session ids of the node in the room
 * {p}:stream             STREAM  messages between nodes in the "at-least-once" mode
 * ```
 * Readers count only nodes whose heartbeat key exists, so a crashed node's sessions vanish from counts
 * when its heartbeat expires; whoever reads first then deletes the dead node's keys.
 */

const COUNT = `
local p = ARGV[1]
local total, dead = 0, {}
for _, n in ipairs(redis.call('smembers', KEYS[1])) do
  if redis.call('exists', p .. 'alive:' .. n) == 1 then
    if ARGV[2] == '1' then total = total + redis.call('scard', p .. 'r:' .. n .. ':' .. ARGV[3])
    else total = total + redis.call('hlen', p .. 's:' .. n) end
  else dead[#dead + 1] = n end
end
return {total, dead}`;

const LIST = `
local p = ARGV[1]
local out, dead = {}, {}
for _, n in ipairs(redis.call('smembers', KEYS[1])) do
  if redis.call('exists', p .. 'alive:' .. n) == 1 then
    local h = p .. 's:' .. n
    if ARGV[2] == '1' then
      local ids = redis.call('smembers', p .. 'r:' .. n .. ':' .. ARGV[3])
      if #ids > 0 then
        local users = redis.call('hmget', h, unpack(ids))
        for i, id in ipairs(ids) do out[#out + 1] = n; out[#out + 1] = id; out[#out + 1] = users[i] or '' end
      end
    else
      local all = redis.call('hgetall', h)
      for i = 1, #all, 2 do out[#out + 1] = n; out[#out + 1] = all[i]; out[#out + 1] = all[i + 1] end
    end
  else dead[#dead + 1] = n end
end
return {out, dead}`;

// ARGV[3] '1': only when the node is dead (atomic with the heartbeat check); otherwise unconditionally.
const CLEAR = `
local p, n = ARGV[1], ARGV[2]
if ARGV[3] == '1' and redis.call('exists', p .. 'alive:' .. n) == 1 then return 0 end
local idx = p .. 'rooms:' .. n
for _, r in ipairs(redis.call('smembers', idx)) do redis.call('del', p .. 'r:' .. n .. ':' .. r) end
redis.call('del', idx, p .. 's:' .. n)
if ARGV[3] == '1' then redis.call('srem', KEYS[1], n) end
return 1`;

type Client = Redis | Cluster;
interface Scripted {
  wseCount(key: string, prefix: string, hasRoom: string, room: string): Promise<[number, string[]]>;
  wseList(key: string, prefix: string, hasRoom: string, room: string): Promise<[string[], string[]]>;
  wseClear(key: string, prefix: string, node: string, onlyIfDead: string): Promise<number>;
}

/** Registers the presence scripts on a client (once per client). */
export function defineScripts(client: Client): void {
  client.defineCommand("wseCount", { numberOfKeys: 1, lua: COUNT });
  client.defineCommand("wseList", { numberOfKeys: 1, lua: LIST });
  client.defineCommand("wseClear", { numberOfKeys: 1, lua: CLEAR });
}

/** Key names under one prefix. */
export class PresenceKeys {
  /** `{prefix}:`, the hash-tagged start of every key. */
  readonly base: string;
  readonly nodes: string;
  readonly channel: string;
  /** The stream of the `"at-least-once"` delivery mode. */
  readonly stream: string;

  constructor(prefix: string) {
    this.base = `{${prefix}}:`;
    this.nodes = `${this.base}nodes`;
    this.channel = `${this.base}bus`;
    this.stream = `${this.base}stream`;
  }
  alive(node: string): string {
    return `${this.base}alive:${node}`;
  }
  sessions(node: string): string {
    return `${this.base}s:${node}`;
  }
  rooms(node: string): string {
    return `${this.base}rooms:${node}`;
  }
  room(node: string, room: string): string {
    return `${this.base}r:${node}:${room}`;
  }
}

/** Writes one change of `node`'s presence. */
export function writeChange(client: Client, keys: PresenceKeys, node: string, c: PresenceChange): Promise<unknown> {
  switch (c.kind) {
    case PresenceChangeKinds.OPEN:
    case PresenceChangeKinds.USER:
      return client.hset(keys.sessions(node), c.sessionId, c.userId ?? "");
    case PresenceChangeKinds.JOIN:
      return client.multi().sadd(keys.room(node, c.room), c.sessionId).sadd(keys.rooms(node), c.room).exec();
    case PresenceChangeKinds.LEAVE: {
      const m = client.multi().srem(keys.room(node, c.room), c.sessionId);
      if (c.roomEmpty) m.srem(keys.rooms(node), c.room);
      return m.exec();
    }
    case PresenceChangeKinds.CLOSE:
      return client.hdel(keys.sessions(node), c.sessionId);
  }
}

/** Replaces everything Redis holds about `node` with `records`, and marks the node alive. */
export function rebuild(client: Client, keys: PresenceKeys, node: string, records: readonly PresenceRecord[], ttlMs: number): Promise<unknown> {
  const m = client.multi();
  (m as unknown as Scripted).wseClear(keys.nodes, keys.base, node, "0");
  m.set(keys.alive(node), "1", "PX", ttlMs);
  m.sadd(keys.nodes, node);
  const users: string[] = [];
  const byRoom = new Map<string, string[]>();
  for (const r of records) {
    users.push(r.sessionId, r.userId ?? "");
    for (const room of r.rooms) {
      const list = byRoom.get(room);
      if (list) list.push(r.sessionId);
      else byRoom.set(room, [r.sessionId]);
    }
  }
  if (users.length > 0) m.hset(keys.sessions(node), ...users);
  for (const [room, ids] of byRoom) m.sadd(keys.room(node, room), ...ids);
  if (byRoom.size > 0) m.sadd(keys.rooms(node), ...byRoom.keys());
  return m.exec().then(failOnStepError);
}

/** Extends the heartbeat; resolves to whether Redis still had it (false: presence must be rebuilt). */
export async function beat(client: Client, keys: PresenceKeys, node: string, ttlMs: number): Promise<boolean> {
  const [[, previous]] = (await client.multi().set(keys.alive(node), "1", "PX", ttlMs, "GET").sadd(keys.nodes, node).exec().then(failOnStepError)) as [[unknown, unknown]];
  return previous !== null;
}

/** Removes `node` from presence (leaving, or found dead). */
export function clear(client: Client, keys: PresenceKeys, node: string, onlyIfDead: boolean): Promise<unknown> {
  if (onlyIfDead) return (client as unknown as Scripted).wseClear(keys.nodes, keys.base, node, "1");
  const m = client.multi();
  (m as unknown as Scripted).wseClear(keys.nodes, keys.base, node, "0");
  return m.del(keys.alive(node)).srem(keys.nodes, node).exec().then(failOnStepError);
}

/** Cluster-wide count, and the nodes found dead on the way. */
export async function count(client: Client, keys: PresenceKeys, room: string | undefined): Promise<{ total: number; dead: string[] }> {
  const [total, dead] = await (client as unknown as Scripted).wseCount(keys.nodes, keys.base, room === undefined ? "0" : "1", room ?? "");
  return { total: Number(total), dead };
}

/** Cluster-wide entries, and the nodes found dead on the way. */
export async function list(client: Client, keys: PresenceKeys, room: string | undefined): Promise<{ entries: PresenceEntry[]; dead: string[] }> {
  const [flat, dead] = await (client as unknown as Scripted).wseList(keys.nodes, keys.base, room === undefined ? "0" : "1", room ?? "");
  const entries: PresenceEntry[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    entries.push({ nodeId: flat[i]!, sessionId: flat[i + 1]!, userId: flat[i + 2] === "" ? undefined : flat[i + 2] });
  }
  return { entries, dead };
}

function failOnStepError(results: Array<[Error | null, unknown]> | null): Array<[Error | null, unknown]> {
  if (results === null) throw new Error("the transaction was aborted");
  for (const [error] of results) if (error) throw error;
  return results;
}
