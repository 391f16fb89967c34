import { refuseStandardDecorator } from "./standard-decorators.js";
import { writeEndpoint, type EndpointClass, type ServerEndpointOptions } from "./metadata.js";

/**
 * Marks a class as a WebSocket server endpoint at `path` (a literal path or a template such as
 * `/rooms/{room}`). A new instance is created for every accepted connection.
 *
 * @example
 * ```ts
 * @ServerEndpoint("/chat/{room}")
 * class ChatEndpoint {
 *   @OnMessage() onText(text: string, session: Session) { return `echo: ${text}`; }
 * }
 * ```
 */
export function ServerEndpoint(pathOrOptions: string | ServerEndpointOptions): ClassDecorator {
  const options: ServerEndpointOptions =
    typeof pathOrOptions === "string" ? { path: pathOrOptions } : { ...pathOrOptions };
  return ((target: unknown, context?: unknown) => {
    refuseStandardDecorator("@ServerEndpoint()", context);
    writeEndpoint(target as EndpointClass, options);
  }) as ClassDecorator;
}
