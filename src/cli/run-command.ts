import type { AddressInfo } from "node:net";
import { EndpointDefinitionError, InvalidOptionsError } from "../errors.js";
import { readEndpoint } from "../../decorators/metadata.js";
import { bootstrap, type ServerHandle } from "../server/bootstrap.js";
import type { CliIo } from "./io.js";
import { loadEndpointModules } from "./load-modules.js";
import { parseCommand, parsePort } from "./parse.js";
import { RUN_HELP } from "./usage.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * `ws-endpoints run`: serves the endpoints of the given modules until SIGINT/SIGTERM. Resolves with an
 * exit code when it did not start, or `undefined` while serving (the signal handler exits).
 */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number | undefined> {
  const { values, positionals } = parseCommand("run", args, {
    port: { type: "string", short: "p" },
    host: { type: "string", short: "H" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout.write(RUN_HELP);
    return 0;
  }
  const port =
    values.port !== undefined
      ? parsePort(values.port as string, "--port")
      : io.env.PORT !== undefined && io.env.PORT !== ""
        ? parsePort(io.env.PORT, "the PORT environment variable")
        : 8080;
  const host = values.host as string | undefined;
  const endpoints = await loadEndpointModules(positionals, io.cwd);

  let handle: ServerHandle;
  try {
    handle = await bootstrap({ endpoints, port, host });
  } catch (error) {
    return reportStartFailure(error, port, io);
  }
  // Handlers first: whoever waits for the "listening" line may signal right after reading it.
  installShutdown(handle, io);
  const a = handle.address;
  // One write, so a reader waiting for the "listening" line also has the endpoint list.
  const list = endpoints.map((ep) => `  ${readEndpoint(ep)!.path}  ${ep.name}\n`).join("");
  io.stdout.write(`ws-endpoints: listening on ${wsUrl(a)}\n${list}`);
  return undefined;
}

function installShutdown(handle: ServerHandle, io: CliIo): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) {
      io.stderr.write(`ws-endpoints: ${signal} again; exiting without waiting for sessions to close.\n`);
      io.exit(1);
      return;
    }
    stopping = true;
    io.stderr.write(`ws-endpoints: ${signal} received; closing ${handle.sessions.size} session(s) (send it again to exit at once).\n`);
    handle.close().then(
      () => io.exit(0),
      (error: unknown) => {
        io.stderr.write(`ws-endpoints: shutdown failed: ${(error as Error)?.stack ?? String(error)}\n`);
        io.exit(1);
      },
    );
  };
  for (const s of SIGNALS) io.onSignal(s, () => onSignal(s));
}

function reportStartFailure(error: unknown, port: number, io: CliIo): number {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") io.stderr.write(`ws-endpoints: port ${port} is already in use. Pass another one with --port, or stop the process using it.\n`);
  else if (code === "EACCES") io.stderr.write(`ws-endpoints: no permission to listen on port ${port}. Use a port above 1023 or run with the needed privileges.\n`);
  else if (error instanceof EndpointDefinitionError || error instanceof InvalidOptionsError) io.stderr.write(`ws-endpoints: ${error.message}\n`);
  else throw error;
  return 1;
}

function wsUrl(a: AddressInfo): string {
  const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
  return `ws://${host}:${a.port}`;
}
