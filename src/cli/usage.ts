/** Help texts of the `ws-endpoints` command line, one per command. */

export const MAIN_HELP = `Usage: ws-endpoints <command> [options]

Commands:
  run <module...>        Serve the @ServerEndpoint classes declared in compiled modules
  asyncapi <module...>   Write an AsyncAPI 3.0 document describing those endpoints
  help [command]         Show help for a command

Options:
  -h, --help             Show this help
  -v, --version          Print the version

Examples:
  ws-endpoints run dist/chat-endpoint.js --port 8080
  ws-endpoints asyncapi dist/chat-endpoint.js -o asyncapi.yaml
  ws-endpoints run --help
`;

export const RUN_HELP = `Usage: ws-endpoints run <module...> [--port <n>] [--host <address>]

Imports each module (paths relative to the current directory; compiled JavaScript, CommonJS or ESM),
discovers every class decorated with @ServerEndpoint, and serves them. SIGINT/SIGTERM close every
session with 1001 GOING_AWAY, run their @OnClose handlers and exit 0; a second signal exits at once.

Options:
  -p, --port <n>         Port to listen on (default: $PORT, else 8080; 0 picks a free port)
  -H, --host <address>   Address to listen on (default: all interfaces)
  -h, --help             Show this help

Examples:
  ws-endpoints run dist/chat-endpoint.js
  ws-endpoints run dist/chat.js dist/ticker.js --port 9000 --host 127.0.0.1
  PORT=3000 ws-endpoints run dist/chat-endpoint.js
`;

export const ASYNCAPI_HELP = `Usage: ws-endpoints asyncapi <module...> [-o <file>] [--title <text>] [--api-version <v>] [--server <url>]

Imports each module, discovers its @ServerEndpoint classes and prints an AsyncAPI 3.0 document:
one channel per endpoint path (template variables become channel parameters), one message per
@OnMessage handler (JSON Schema from class-validator decorators for DTO classes), replies from the
handlers' declared return types.

Options:
  -o, --output <file>    Write to a file instead of stdout (.json → JSON, anything else → YAML)
  --title <text>         info.title (default: the name in ./package.json, else "WebSocket API")
  --api-version <v>      info.version (default: the version in ./package.json, else "1.0.0")
  --server <url>         Add a server, e.g. ws://localhost:8080 or wss://api.example.com
  -h, --help             Show this help

Examples:
  ws-endpoints asyncapi dist/chat-endpoint.js
  ws-endpoints asyncapi dist/chat-endpoint.js -o asyncapi.yaml --server wss://chat.example.com
`;
