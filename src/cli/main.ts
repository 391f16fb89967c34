#!/usr/bin/env node
/**
 * The `ws-endpoints` executable.
 *
 * @packageDocumentation
 */
import "reflect-metadata";
import { MissingPeerDependencyError } from "../errors.js";
import { cli } from "./cli.js";

cli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  onSignal: (signal, listener) => void process.on(signal, listener),
  exit: (code) => process.exit(code),
}).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    // A missing optional package is the user's setup, not our bug: the install command, no stack trace.
    const text = error instanceof MissingPeerDependencyError ? error.message : ((error as Error)?.stack ?? String(error));
    process.stderr.write(`ws-endpoints: ${text}\n`);
    process.exitCode = 1;
  },
);
