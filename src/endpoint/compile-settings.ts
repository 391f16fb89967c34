import type { CompileSettings } from "./compile.js";

/** Hooks a compile may take besides the size limit (codecs). */
export type CompileExtras = Omit<CompileSettings, "maxMessageSize">;

/**
 * The settings of every compile, server and client alike: codec hooks (DTO payloads, encoders) plugged
 * in here reach both kinds of endpoint, so a client decodes exactly as a server would.
 */
export function compileSettings(maxMessageSize: number, extras: CompileExtras = {}): CompileSettings {
  return { ...extras, maxMessageSize };
}
