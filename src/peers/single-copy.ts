import { createRequire } from "node:module";
import { dirname, sep } from "node:path";
import { DuplicatePeerDependencyError } from "../errors.js";

/**
 * Peers whose state is global to the application: tsyringe's container and `@singleton()` registry,
 * class-validator's decorator rules. A second copy (a nested install, or a version outside our peer range)
 * splits that state silently: a service the application registered is unknown to ws-endpoints, and every
 * connection then fails at run time. Checked once at bootstrap instead.
 */
const SHARED_PEERS = ["tsyringe", "class-validator"] as const;

const load = createRequire(__filename);

/** The directory of the copy of `name` that ws-endpoints itself loads (symlinks resolved). */
function ownCopy(name: string): string | undefined {
  try {
    return dirname(load.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Package directories of every loaded module of `name`, from Node's module cache (real paths). */
function loadedCopies(name: string, cache: Readonly<Record<string, unknown>>): Set<string> {
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  const copies = new Set<string>();
  for (const file of Object.keys(cache)) {
    const at = file.lastIndexOf(marker);
    if (at !== -1) copies.add(file.slice(0, at + marker.length - 1));
  }
  return copies;
}

/**
 * @throws DuplicatePeerDependencyError when a copy of tsyringe or class-validator other than ours has been
 * loaded (by the application, before bootstrap), naming both directories.
 */
export function assertSingleCopies(cache: Readonly<Record<string, unknown>> = load.cache): void {
  for (const name of SHARED_PEERS) {
    const own = ownCopy(name);
    if (own === undefined) continue;
    for (const other of loadedCopies(name, cache)) {
      if (other !== own) throw new DuplicatePeerDependencyError(name, own, other);
    }
  }
}
