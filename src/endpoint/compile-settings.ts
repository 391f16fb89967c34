import type { DependencyContainer } from "tsyringe";
import type { CodecOptions } from "../codec/codec-options.js";
import { codecCompileSettings } from "../codec/codec-registry.js";
import type { DefinitionProblem } from "../errors.js";
import type { CompileSettings } from "./compiled.js";

/** Hooks a caller may add or override besides the size limit. */
export type CompileExtras = Omit<CompileSettings, "maxMessageSize">;

/**
 * The settings of every compile, server and client alike: the codec hooks (decoders, DTO validation,
 * encoders, routing) are attached here, so a client endpoint decodes exactly as a server endpoint would.
 * Coder construction problems go to `problems`.
 */
export function compileSettings(
  maxMessageSize: number,
  codecs: CodecOptions | undefined,
  container: DependencyContainer,
  problems: DefinitionProblem[],
  extras: CompileExtras = {},
): CompileSettings {
  return { ...codecCompileSettings(codecs, container, problems), ...extras, maxMessageSize };
}
