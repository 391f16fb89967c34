// Loaded before anything imports tsyringe, which refuses to load without it.
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { asyncApiCommand } from "./asyncapi-command.js";
import { CliUsageError } from "./cli-error.js";
import type { CliIo } from "./io.js";
import { runCommand } from "./run-command.js";
import { ASYNCAPI_HELP, MAIN_HELP, RUN_HELP } from "./usage.js";

// Re-exported so callers keep one import for `cli` and its IO.
export type { CliIo } from "./io.js";

type Command = (args: readonly string[], io: CliIo) => Promise<number | undefined>;

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  run: { run: runCommand, help: RUN_HELP },
  asyncapi: { run: asyncApiCommand, help: ASYNCAPI_HELP },
};

/**
 * Runs `ws-endpoints <argv>`. Resolves with the exit code, or `undefined` when a command keeps the
 * process running (a server). Usage mistakes print a sentence and resolve with 2.
 */
export async function cli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    io.stdout.write(MAIN_HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (first === "help") {
    const target = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    io.stdout.write(target?.help ?? MAIN_HELP);
    return rest[0] === undefined || target ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  try {
    if (!command) {
      throw new CliUsageError(
        first.startsWith("-")
          ? `unknown option ${first}. Run \`ws-endpoints --help\` for the commands.`
          : `unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(", ")}). Run \`ws-endpoints --help\`.`,
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`ws-endpoints: ${error.message}\n`);
    return 2;
  }
}

function packageVersion(): string {
  // Compiled this file sits in dist/src/cli, in the sources in src/cli: look upwards for our package.json.
  for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "ws-endpoints" && pkg.version) return pkg.version;
    } catch {
      // not here; keep looking
    }
  }
  return "unknown";
}
