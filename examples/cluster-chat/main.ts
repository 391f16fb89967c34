import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/**
 * `npm run example:cluster`: two chat nodes as two processes sharing one Redis.
 * REDIS_URL (default redis://127.0.0.1:6379), PORT_A (8081), PORT_B (8082).
 */
const redis = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const nodes: Array<[name: string, port: string]> = [
  ["A", process.env.PORT_A ?? "8081"],
  ["B", process.env.PORT_B ?? "8082"],
];

const children: ChildProcess[] = nodes.map(([name, port]) => {
  const child = spawn(process.execPath, [join(__dirname, "node-main.js")], {
    env: { ...process.env, PORT: port, NODE_NAME: name, REDIS_URL: redis },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`node ${name} exited (${signal ?? code}); stopping the other one.`);
      stop();
    }
  });
  return child;
});
console.log(`cluster chat over ${redis}: open http://localhost:${nodes[0]![1]}/ and http://localhost:${nodes[1]![1]}/ in two windows.`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
