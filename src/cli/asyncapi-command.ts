import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { asyncApiToYaml, generateAsyncApi } from "../asyncapi/generate.js";
import { InvalidOptionsError } from "../errors.js";
import { CliUsageError } from "./cli-error.js";
import type { CliIo } from "./io.js";
import { loadEndpointModules } from "./load-modules.js";
import { parseCommand } from "./parse.js";
import { ASYNCAPI_HELP } from "./usage.js";

function projectPackage(cwd: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

/** `ws-endpoints asyncapi`: prints or writes the AsyncAPI document of the given modules' endpoints. */
export async function asyncApiCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("asyncapi", args, {
    output: { type: "string", short: "o" },
    title: { type: "string" },
    "api-version": { type: "string" },
    server: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout.write(ASYNCAPI_HELP);
    return 0;
  }
  const endpoints = await loadEndpointModules(positionals, io.cwd);
  const pkg = projectPackage(io.cwd);
  const servers = (values.server as unknown as string[] | undefined) ?? [];
  let text: string;
  const output = values.output as string | undefined;
  try {
    const doc = generateAsyncApi(endpoints, {
      title: (values.title as string | undefined) ?? pkg.name ?? "WebSocket API",
      version: (values["api-version"] as string | undefined) ?? pkg.version ?? "1.0.0",
      servers: servers.length === 0 ? undefined : Object.fromEntries(servers.map((url, i) => [i === 0 ? "default" : `server${i + 1}`, url])),
    });
    text = output?.endsWith(".json") ? `${JSON.stringify(doc, null, 2)}\n` : asyncApiToYaml(doc);
  } catch (error) {
    if (error instanceof InvalidOptionsError) throw new CliUsageError(error.message.replace(/^generateAsyncApi: /, ""));
    throw error;
  }
  if (output === undefined) io.stdout.write(text);
  else {
    writeFileSync(resolve(io.cwd, output), text);
    io.stderr.write(`ws-endpoints: wrote ${output} (${endpoints.length} endpoint(s))\n`);
  }
  return 0;
}
