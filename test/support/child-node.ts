import { spawn, type ChildProcess } from "node:child_process";

/**
 * Starts a TypeScript test node in its own process (so a test can SIGKILL it), through
 * test/e2e/support/ts-register.cjs, and resolves once it prints `port=<n>`. The child is added to
 * `children` for the caller's cleanup; with `stdin` it can be driven by writing lines to it.
 */
export async function startChildNode(script: string, args: readonly string[], children: ChildProcess[], stdin = false): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-r", "./test/e2e/support/ts-register.cjs", script, ...args], {
    stdio: [stdin ? "pipe" : "ignore", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    const m = /port=(\d+)/.exec(out);
    if (m) return { child, port: Number(m[1]) };
  }
  throw new Error(`the node process exited before listening (code ${child.exitCode})`);
}
