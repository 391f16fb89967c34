import { readClientEndpoint, type EndpointClass } from "../../decorators/metadata.js";
import { EndpointDefinitionError, type DefinitionProblem } from "../errors.js";
import { compileEndpointBase, endpointName } from "./compile.js";
import type { CompiledClientEndpoint, CompileSettings } from "./compiled.js";

/**
 * Compiles a `@ClientEndpoint` class with the same compiler as server endpoints (argument resolvers,
 * payload bindings, encoders), reporting every problem at once.
 *
 * @throws EndpointDefinitionError listing each problem with its fix.
 */
export function compileClientEndpoint(type: EndpointClass, settings: CompileSettings): CompiledClientEndpoint {
  const problems: DefinitionProblem[] = [];
  const name = endpointName(type, "@ClientEndpoint", problems);
  const options = name === null ? undefined : readClientEndpoint(type);
  if (name !== null && options === undefined) {
    problems.push({
      where: name,
      problem: "has no @ClientEndpoint decorator.",
      fix: `add @ClientEndpoint() to class ${name} before connecting it with connectToServer.`,
    });
  }
  // Client endpoints have no path template: @PathParam is reported as naming no variable.
  const compiled =
    options === undefined ? null : compileEndpointBase({ type, name: name!, decorator: "@ClientEndpoint", options, templateVariables: [] }, settings, problems);
  if (compiled === null || problems.length > 0) throw new EndpointDefinitionError(problems);
  return Object.freeze({ ...compiled.base, options: options! });
}
