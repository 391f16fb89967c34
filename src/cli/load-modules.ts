import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { registeredEndpoints, type EndpointClass } from "../../decorators/metadata.js";
import { CliUsageError } from "./cli-error.js";

/**
 * Imports the user's modules (resolved against `cwd`) and returns the endpoint classes they declared.
 * `import()` loads CommonJS and ESM alike; classes register themselves when their decorator runs.
 */
export async function loadEndpointModules(modules: readonly string[], cwd: string): Promise<EndpointClass[]> {
  if (modules.length === 0) throw new CliUsageError("name at least one module to load, e.g. dist/chat-endpoint.js");
  for (const m of modules) {
    const file = resolve(cwd, m);
    if (!existsSync(file)) {
      throw new CliUsageError(
        `module ${m} not found (looked for ${file}).${/\.tsx?$/.test(m) ? " Pass the compiled .js file: run tsc first." : ""}`,
      );
    }
    await import(pathToFileURL(file).href);
  }
  // Every registered class: the modules' own and those they import (a module may re-export endpoints).
  const found = [...registeredEndpoints()];
  if (found.length === 0) {
    throw new CliUsageError(
      `no @ServerEndpoint classes found in ${modules.join(", ")}. Decorate a class with @ServerEndpoint("/path") in one of these modules ` +
        "(a module that only re-exports types registers nothing).",
    );
  }
  return found;
}
