import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { answersPing, freePort, RedisProcess } from "./redis-server.js";

/** Polls `check` every 50 ms until it is true; throws `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

export async function ask<T>(port: number, run: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

/**
 * Resolves with the first message on `channel` of any of the sentinels at `ports` for which `match`
 * returns a value; rejects after `timeoutMs`. Subscribed before it returns, so nothing published after
 * the call is missed.
 */
async function sentinelEvent<T>(ports: readonly number[], channel: string, match: (message: string) => T | undefined, timeoutMs: number): Promise<{ event: Promise<T>; close(): void }> {
  const subs = ports.map((port) => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null }));
  let timer: NodeJS.Timeout | undefined;
  let fail: (e: Error) => void = () => {};
  const close = (): void => {
    clearTimeout(timer);
    subs.forEach((s) => s.disconnect());
    fail(new Error(`stopped waiting for ${channel}`));
  };
  for (const s of subs) s.on("error", () => {});
  await Promise.all(subs.map((s) => s.subscribe(channel)));
  const event = new Promise<T>((resolve, reject) => {
    fail = reject;
    timer = setTimeout(() => reject(new Error(`no sentinel published ${channel} within ${timeoutMs} ms`)), timeoutMs);
    for (const s of subs) {
      s.on("message", (_channel: string, message: string) => {
        const value = match(message);
        if (value !== undefined) resolve(value);
      });
    }
  }).finally(close);
  // Awaited by the caller unless it gives up first (close): never an unhandled rejection.
  event.catch(() => {});
  return { event, close };
}

/** `ROLE` of the server on `port`: its role and, for a replica, the master's port and the link state. */
async function role(port: number): Promise<{ role: string; masterPort?: number; link?: string; replicas?: number }> {
  const r = (await ask(port, (c) => c.call("ROLE"))) as unknown[];
  if (r[0] === "master") return { role: "master", replicas: (r[2] as unknown[]).length };
  if (r[0] === "slave") return { role: "slave", masterPort: Number(r[2]), link: String(r[3]) };
  return { role: String(r[0]) };
}

/**
 * Starts a sentinel on `port` watching "mymaster" at `masterPort` (config file in `dir`) and resolves once it
 * answers PING.
 */
export async function startSentinel(dir: string, port: number, masterPort: number, quorum: number): Promise<ChildProcess> {
  const conf = join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} ${quorum}`,
      "sentinel down-after-milliseconds mymaster 2000",
      // Generous, so a promotion slowed down by load is not abandoned and started over.
      "sentinel failover-timeout mymaster 10000",
      "",
    ].join("\n"),
  );
  const child = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
  await answersPing(port, 5000);
  return child;
}

/**
 * A master, two replicas and three sentinels (quorum 2) watching the group "mymaster", on loopback.
 *
 * Two replicas, so that after a fail-over the new master still has one: with `stream.replicas: 1`, a
 * publish needs a replica's acknowledgement, and the old master, even restarted, is turned into a
 * replica only on the sentinels' schedule (10 to 20 s, see {@link failOver}).
 * `down-after-milliseconds` is 2 s: at 400 ms, a loaded machine (the whole suite on two cores) left the
 * freshly promoted master unanswered long enough for the sentinels to fail it over again, back to the
 * old master that had just restarted, empty.
 */
export class SentinelSetup {
  readonly name = "mymaster";
  private readonly sentinels: ChildProcess[] = [];

  private constructor(
    /** The master first, then the replicas; {@link failOver} moves the promoted one to the front. */
    private readonly servers: RedisProcess[],
    readonly sentinelPorts: readonly number[],
    private readonly dir: string,
  ) {}

  /** The current master. */
  get master(): RedisProcess {
    return this.servers[0]!;
  }

  static async start(): Promise<SentinelSetup> {
    const master = await RedisProcess.start();
    const servers = [master];
    for (let i = 0; i < 2; i++) servers.push(await RedisProcess.start({ args: ["--replicaof", "127.0.0.1", String(master.port)] }));
    const dir = mkdtempSync(join(tmpdir(), "wse-sentinel-"));
    const ports = [await freePort(), await freePort(), await freePort()];
    const setup = new SentinelSetup(servers, ports, dir);
    for (const port of ports) setup.sentinels.push(await startSentinel(dir, port, master.port, 2));
    // A fail-over needs every sentinel to know the replicas and the other sentinels (hello messages).
    await until("the sentinels did not find each other and the replicas", async () => {
      for (const port of ports) {
        const [others, replicas] = await ask(port, async (r) => [await r.call("SENTINEL", "SENTINELS", "mymaster"), await r.call("SENTINEL", "REPLICAS", "mymaster")]);
        if ((others as unknown[]).length !== 2 || (replicas as unknown[]).length !== 2) return false;
      }
      return (await role(master.port)).replicas === 2;
    });
    return setup;
  }

  /** The ioredis options that reach the group through the sentinels. */
  get redisOptions(): { sentinels: Array<{ host: string; port: number }>; name: string } {
    return { sentinels: this.sentinelPorts.map((port) => ({ host: "127.0.0.1", port })), name: this.name };
  }

  /**
   * SIGKILLs the master and resolves once every sentinel has announced the promotion (`+switch-master`)
   * and the other replica replicates the new master, so writes that wait for a replica succeed again.
   *
   * With `restartOld`, the old master is then restarted (empty) and the promise waits for the sentinels
   * to turn it into a replica (`+convert-to-slave`, which also disconnects its clients) and for it to
   * sync. Redis Sentinel does that on its own schedule: it waits until the returning server has reported
   * itself a master for 8 s, checked at each INFO round (every 10 s), so 10 to 20 s after the restart.
   */
  async failOver(options: { restartOld?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const old = this.master;
    const announced = new Set<number>();
    // Every sentinel announces the new master itself (the leader, and each other one as it learns it).
    const subs = this.sentinelPorts.map((port) => sentinelEvent([port], "+switch-master", (m) => (m.split(" ")[2] === String(old.port) ? Number(m.split(" ")[4]) : undefined), timeoutMs));
    const switched = await Promise.all(subs);
    try {
      await old.kill();
      for (const port of await Promise.all(switched.map((s) => s.event))) announced.add(port);
    } finally {
      switched.forEach((s) => s.close());
    }
    if (announced.size !== 1) throw new Error(`the sentinels announced different masters: ${[...announced].join(", ")}`);
    const promotedPort = [...announced][0]!;
    const promoted = this.servers.find((s) => s.port === promotedPort)!;
    const others = this.servers.filter((s) => s !== old && s !== promoted);
    await until(
      "the other replica did not replicate the new master",
      async () => {
        if ((await role(promoted.port)).replicas !== others.length) return false;
        for (const o of others) {
          const r = await role(o.port);
          if (r.masterPort !== promoted.port || r.link !== "connected") return false;
        }
        return true;
      },
      timeoutMs,
    );
    this.servers.splice(0, this.servers.length, promoted, ...others, old);
    if (options.restartOld !== true) return;
    const converted = await sentinelEvent(this.sentinelPorts, "+convert-to-slave", (m) => (m.split(" ")[3] === String(old.port) ? true : undefined), 60_000);
    await old.restart().catch((e: unknown) => {
      converted.close();
      throw e;
    });
    await converted.event;
    await until("the old master, turned into a replica, did not sync", async () => (await role(old.port)).link === "connected", timeoutMs);
  }

  async stop(): Promise<void> {
    for (const s of this.sentinels) s.kill("SIGKILL");
    await Promise.all(this.servers.map((s) => s.dispose()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of three masters (and, after {@link addReplica}, a replica), on loopback. */
export class ClusterSetup {
  private constructor(
    readonly masters: RedisProcess[],
    private readonly dir: string,
    readonly replicas: RedisProcess[] = [],
  ) {}

  static async start(): Promise<ClusterSetup> {
    const dir = mkdtempSync(join(tmpdir(), "wse-cluster-"));
    const masters: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) masters.push(await RedisProcess.start(ClusterSetup.nodeOptions(dir)));
    const created = spawnSync("redis-cli", ["--cluster", "create", ...masters.map((m) => `127.0.0.1:${m.port}`), "--cluster-yes"], { encoding: "utf8", timeout: 30_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const setup = new ClusterSetup(masters, dir);
    await setup.waitHealthy();
    return setup;
  }

  private static nodeOptions(dir: string): { args: string[] } {
    const id = Math.random().toString(36).slice(2);
    return { args: ["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${id}.conf`), "--cluster-node-timeout", "1000", "--dir", dir] };
  }

  /** Startup nodes for ioredis's Cluster client. */
  get nodes(): Array<{ host: string; port: number }> {
    return this.masters.map((m) => ({ host: "127.0.0.1", port: m.port }));
  }

  /** The master holding `key`'s slot. */
  async masterOf(key: string): Promise<RedisProcess> {
    const slot = await ask(this.masters[0]!.port, (r) => r.call("CLUSTER", "KEYSLOT", key));
    const shards = (await ask(this.masters[0]!.port, (r) => r.call("CLUSTER", "SLOTS"))) as Array<[number, number, [string, number, string]]>;
    const owner = shards.find(([from, to]) => (slot as number) >= from && (slot as number) <= to)!;
    return [...this.masters, ...this.replicas].find((m) => m.port === owner[2][1])!;
  }

  /** Adds a replica of `master` and resolves once it is in sync. */
  async addReplica(master: RedisProcess): Promise<RedisProcess> {
    const replica = await RedisProcess.start(ClusterSetup.nodeOptions(this.dir));
    const id = await ask(master.port, (r) => r.call("CLUSTER", "MYID"));
    const added = spawnSync("redis-cli", ["--cluster", "add-node", `127.0.0.1:${replica.port}`, `127.0.0.1:${master.port}`, "--cluster-slave", "--cluster-master-id", String(id)], { encoding: "utf8", timeout: 30_000 });
    if (added.status !== 0) throw new Error(`redis-cli --cluster add-node failed: ${added.stdout}${added.stderr}`);
    this.replicas.push(replica);
    await until("the cluster replica did not sync", async () => /master_link_status:up/.test(await ask(replica.port, (r) => r.info("replication"))));
    await this.waitHealthy();
    return replica;
  }

  /** SIGKILLs `master`, resolves once `replica` serves its slots and `master`, restarted, replicates it. */
  async failOver(master: RedisProcess, replica: RedisProcess): Promise<void> {
    await master.kill();
    await until("the cluster did not promote the replica", async () => (await ask(replica.port, (r) => r.info("replication"))).includes("role:master"));
    await master.restart();
    await until("the old master did not become a replica", async () => /master_link_status:up/.test(await ask(master.port, (r) => r.info("replication"))));
    await this.waitHealthy();
  }

  private async waitHealthy(nodes: readonly RedisProcess[] = [...this.masters, ...this.replicas]): Promise<void> {
    await until("the cluster did not become healthy", async () => {
      for (const n of nodes) if (!(await ask(n.port, (r) => r.call("CLUSTER", "INFO")) as string).includes("cluster_state:ok")) return false;
      return true;
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.masters, ...this.replicas].map((m) => m.dispose()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
