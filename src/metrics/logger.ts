/**
 * The logging interface the framework writes to. Compatible with pino and most structured loggers:
 * pass `logger: pino()` to `bootstrap`. The default is quiet except for warnings and errors on stderr.
 */
export interface Logger {
  /** Per-connection detail (replies not sent, connection failures); off by default. */
  debug(obj: object, msg?: string): void;
  /** Lifecycle events worth keeping; off by default. */
  info(obj: object, msg?: string): void;
  /** Something went wrong for one session (closed with 1011, error after close). */
  warn(obj: object, msg?: string): void;
  /** A handler, `@OnError` or `@OnClose` threw, or an endpoint could not be created. */
  error(obj: object, msg?: string): void;
}

function write(level: string, obj: object, msg?: string): void {
  const { err, handler } = obj as { err?: unknown; handler?: unknown };
  // The failing method is not on the user's error (it reaches @OnError unwrapped): name it in the line.
  const where = typeof handler === "string" && !(msg ?? "").startsWith(handler) ? ` (in ${handler})` : "";
  const detail = err instanceof Error ? `: ${err.stack ?? err.message}${err.cause ? `\n  caused by: ${String((err.cause as Error)?.stack ?? err.cause)}` : ""}` : "";
  process.stderr.write(`ws-endpoints ${level}: ${msg ?? ""}${where}${detail}\n`);
}

/** Warnings and errors to stderr; debug and info discarded. */
export const defaultLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn: (obj: object, msg?: string) => write("warn", obj, msg),
  error: (obj: object, msg?: string) => write("error", obj, msg),
});

/** Discards everything (tests, benchmarks). */
export const silentLogger: Logger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });
