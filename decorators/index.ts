export { ServerEndpoint } from "./server-endpoint.js";
export { ClientEndpoint } from "./client-endpoint.js";
export { OnOpen, OnMessage, OnClose, OnError } from "./lifecycle.js";
export { PathParam, QueryParam, Payload, Principal, SessionParam, CloseReasonParam, ErrorParam } from "./params.js";
export type { ServerEndpointOptions, ClientEndpointOptions, EndpointOptions, OnMessageOptions, EndpointClass } from "./metadata.js";
