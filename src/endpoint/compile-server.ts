import { readEndpoint, type EndpointClass } from "../../decorators/metadata.js";
import { EndpointDefinitionError, type DefinitionProblem } from "../errors.js";
import { compileEndpointBase, endpointName } from "./compile.js";
import type { CompiledEndpoint, CompileSettings } from "./compiled.js";
import { parsePathTemplate } from "./path-template.js";

/**
 * Compiles endpoint classes, reporting every problem of every class at once.
 *
 * @throws EndpointDefinitionError listing each problem with its fix.
 */
export function compileEndpoints(classes: readonly EndpointClass[], settings: CompileSettings): CompiledEndpoint[] {
  const problems: DefinitionProblem[] = [];
  const compiled: CompiledEndpoint[] = [];
  for (const type of classes) {
    const c = compileEndpointInto(type, settings, problems);
    if (c) compiled.push(c);
  }
  const byShape = new Map<string, CompiledEndpoint>();
  for (const c of compiled) {
    const other = byShape.get(c.template.shapeKey);
    if (other) {
      problems.push({
        where: c.name,
        problem:
          other.template.source === c.template.source
            ? `path "${c.template.source}" is already used by ${other.name}.`
            : `path "${c.template.source}" matches exactly the same requests as "${other.template.source}" of ${other.name}.`,
        fix: "give each endpoint its own path.",
      });
    } else byShape.set(c.template.shapeKey, c);
  }
  if (problems.length > 0) throw new EndpointDefinitionError(problems);
  return compiled;
}

/** Compiles one endpoint class. @throws EndpointDefinitionError */
export function compileEndpoint(type: EndpointClass, settings: CompileSettings): CompiledEndpoint {
  return compileEndpoints([type], settings)[0]!;
}

function compileEndpointInto(type: EndpointClass, settings: CompileSettings, problems: DefinitionProblem[]): CompiledEndpoint | null {
  const name = endpointName(type, "@ServerEndpoint", problems);
  if (name === null) return null;
  const options = readEndpoint(type);
  if (!options) {
    problems.push({
      where: name,
      problem: "has no @ServerEndpoint decorator.",
      fix: `add @ServerEndpoint("/path") to class ${name}, or remove it from the endpoints list.`,
    });
    return null;
  }
  const before = problems.length;
  const parsed = parsePathTemplate(options.path);
  if ("error" in parsed) problems.push({ where: name, problem: `@ServerEndpoint ${parsed.error}`, fix: 'use a path like "/chat" or "/rooms/{room}".' });
  const template = "error" in parsed ? null : parsed;
  const site = { type, name, decorator: "@ServerEndpoint", options, templateVariables: template?.variables ?? [], path: options.path };
  const compiled = compileEndpointBase(site, settings, problems);
  if (compiled === null || problems.length > before || template === null) return null;
  return Object.freeze({ ...compiled.base, options, template, pathConverters: compiled.pathConverters, queryConverters: compiled.queryConverters });
}

