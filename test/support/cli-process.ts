import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const CLI = join(ROOT, "dist", "src", "cli", "main.js");

/** A spawned `ws-endpoints` process whose output can be awaited line by line. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private watchers: Array<() => void> = [];

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: "pipe" });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => this.append("stdout", d));
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => this.append("stderr", d));
    this.exited = new Promise((res) => this.child.once("exit", (code, signal) => res({ code, signal })));
  }

  private append(stream: "stdout" | "stderr", data: string): void {
    this[stream] += data;
    for (const w of this.watchers.splice(0)) w();
  }

  /** Resolves with the first match of `pattern` in the stream; rejects if the process exits first or after `timeoutMs`. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms; stdout: ${this.stdout} stderr: ${this.stderr}`)), timeoutMs);
      const check = (): void => {
        const m = this[stream].match(pattern);
        if (m) {
          clearTimeout(timer);
          res(m);
        } else this.watchers.push(check);
      };
      void this.exited.then(() => {
        const m = this[stream].match(pattern);
        clearTimeout(timer);
        if (m) res(m);
        else rej(new Error(`the CLI exited before ${pattern} appeared; stdout: ${this.stdout} stderr: ${this.stderr}`));
      });
      check();
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
