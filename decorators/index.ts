export { ServerEndpoint } from "./server-endpoint.js";
export { OnOpen, OnMessage, OnClose, OnError } from "./lifecycle.js";
export { PathParam, QueryParam, Payload, Principal } from "./params.js";
export type { ServerEndpointOptions, OnMessageOptions, EndpointClass } from "./metadata.js";
