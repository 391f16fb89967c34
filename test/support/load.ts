/** Runs test/support/load-client.mjs in a child process and returns its summary. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface LoadConfig {
  url: string;
  mode: "echo" | "broadcast";
  clients: number;
  /** Echo: messages each client sends. Broadcast: messages each client must receive (from all publishers). */
  messages: number;
  publishers?: number;
  window?: number;
  connectConcurrency?: number;
  deadlineMs: number;
}

export interface LoadSummary {
  mode: string;
  clients: number;
  connected: number;
  messagesPerClient: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  reordered: number;
  corrupt: number;
  closeCodes: Record<string, number>;
  errors: string[];
  timedOut: boolean;
  connectMs: number;
  exchangeMs: number;
  totalMs: number;
}

const SCRIPT = join(__dirname, "load-client.mjs");

/** Spawns the load generator; the child is killed if it outlives its own deadline by 10 s. */
export function runLoad(config: LoadConfig): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), config.deadlineMs + 10_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        const parsed = JSON.parse(line) as LoadSummary & { fatal?: string };
        if (parsed.fatal) reject(new Error(`load client failed: ${parsed.fatal}`));
        else resolve(parsed);
      } catch {
        reject(new Error(`load client exited with ${code} without a summary: ${err.slice(0, 2000)}`));
      }
    });
  });
}
