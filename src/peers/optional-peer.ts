import { createRequire } from "node:module";
import { MissingPeerDependencyError } from "../errors.js";

/**
 * Optional peer dependencies: only the features that need them load them, and a user without them gets a
 * typed error naming the package instead of Node's "Cannot find module". The ranges equal package.json's
 * `peerDependencies` (test/package/optional-peers.test.ts checks it).
 */
export const OPTIONAL_PEERS = Object.freeze({
  ioredis: { range: "^6.0.0", feature: "ws-endpoints/redis (RedisBroker)" },
  "class-validator-jsonschema": { range: "^5.2.0", feature: "AsyncAPI generation (generateAsyncApi, ws-endpoints asyncapi)" },
  "@opentelemetry/api": { range: "^1.9.0", feature: "OpenTelemetry tracing (bootstrap({ tracing: true }))" },
});

/** Resolved from this file, as the `import` it replaces would be: the user's node_modules or ours. */
const load = createRequire(__filename);

/**
 * Requires an optional peer (or one of its files, `subpath`) on first use.
 * @throws MissingPeerDependencyError when the package itself is not installed; any other failure (a broken
 * install, an error inside the package) propagates unchanged.
 */
export function requireOptionalPeer<T>(name: keyof typeof OPTIONAL_PEERS, subpath = ""): T {
  const id = subpath === "" ? name : `${name}/${subpath}`;
  try {
    return load(id) as T;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // Only "this package is absent": a missing module deeper inside it is a broken install, not this.
    if (e.code === "MODULE_NOT_FOUND" && typeof e.message === "string" && e.message.includes(`'${id}'`)) {
      const peer = OPTIONAL_PEERS[name];
      throw new MissingPeerDependencyError(name, peer.range, peer.feature, error);
    }
    throw error;
  }
}
