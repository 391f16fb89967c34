#!/usr/bin/env node
/**
 * The `ws-endpoints` executable.
 *
 * @packageDocumentation
 */
import "reflect-metadata";
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
    process.stderr.write(`ws-endpoints: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
