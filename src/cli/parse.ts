import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliUsageError } from "./cli-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What one command's arguments parsed into. */
export interface ParsedCommand {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/**
 * `node:util` parseArgs in strict mode, with its errors turned into a sentence that names the flag
 * and where to find the valid ones.
 */
export function parseCommand(command: string, args: readonly string[], options: Options): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as ParsedCommand["values"], positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const flag = /'([^']+)'/.exec(message)?.[1];
    const hint = `Run \`ws-endpoints ${command} --help\` for the options.`;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new CliUsageError(`unknown option ${flag ?? message}. ${hint}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new CliUsageError(`${message.replace(/\.$/, "")}. ${hint}`);
    throw new CliUsageError(`${message} ${hint}`);
  }
}

/** A `--port` value: an integer from 0 to 65535. */
export function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new CliUsageError(`${source} must be an integer from 0 to 65535; got ${JSON.stringify(raw)}.`);
  return port;
}
