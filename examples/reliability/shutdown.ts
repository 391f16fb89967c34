import type { ServerHandle } from "ws-endpoints";

/** Stop on SIGTERM/SIGINT: new upgrades get 503, clients get 1001 after their pending messages, then exit. */
export function exitGracefully(app: ServerHandle, signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): void {
  for (const signal of signals) {
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
  }
}
