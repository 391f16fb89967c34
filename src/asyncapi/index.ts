/**
 * `ws-endpoints/asyncapi`: an AsyncAPI 3.0 document generated from the decorated endpoints, for docs,
 * client generators and contract tests (the `ws-endpoints asyncapi` command prints the same document).
 *
 * @example
 * ```ts
 * import { asyncApiToYaml, generateAsyncApi } from "ws-endpoints/asyncapi";
 *
 * console.log(asyncApiToYaml(generateAsyncApi([ChatEndpoint], { title: "Chat", version: "1.0.0" })));
 * ```
 * @packageDocumentation
 */
export { generateAsyncApi, asyncApiToYaml } from "./generate.js";
export type { AsyncApiInfo, AsyncApiDocument, AsyncApiDocumentInfo, AsyncApiComponents } from "./generate.js";
export type { JsonSchema } from "./payload-schema.js";
