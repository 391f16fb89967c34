/** Runs test/support/load-client.mjs in a child process (loopback load, off the server's core). */
import { fork, type ChildProcess } from "node:child_process";
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

/** A load-generator child process; runs one phase at a time. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static start(): LoadGenerator {
    const child = fork(SCRIPT, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    child.stderr?.on("data", () => {});
    return new LoadGenerator(child);
  }

  /** Runs a phase; rejects if the child fails or outlives the phase's deadline by 10 s. */
  run(config: LoadConfig): Promise<LoadSummary> {
    return new Promise((resolve, reject) => {
      const killer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`load phase did not finish within ${config.deadlineMs + 10_000} ms`));
      }, config.deadlineMs + 10_000);
      const onExit = (code: number | null): void => {
        clearTimeout(killer);
        reject(new Error(`load client exited with ${code}`));
      };
      this.child.once("exit", onExit);
      this.child.once("message", (m) => {
        clearTimeout(killer);
        this.child.off("exit", onExit);
        const summary = m as LoadSummary & { fatal?: string };
        if (summary.fatal) reject(new Error(`load client failed: ${summary.fatal}`));
        else resolve(summary);
      });
      this.child.send(config);
    });
  }

  stop(): void {
    this.child.kill();
  }
}
