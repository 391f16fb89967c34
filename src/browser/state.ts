/** What the browser client reports to a UI, and the options of one request. */
import type { RecoveryStatus } from "../contract/recovery-wire.js";

/** Where the connection stands, for a UI: each change is passed to `onState` listeners. */
export type ClientState =
  | {
      /** Opening a WebSocket (the first one, or a reconnect attempt). */
      readonly state: "connecting";
    }
  | {
      /** Connected: sends go straight out. With `recovery`, entered once the server's control message came. */
      readonly state: "open";
      /**
       * With the `recovery` option only: how this connection's recovery went (the session id, whether it
       * was recovered, why not), or null when the endpoint has no recovery.
       */
      readonly recovery?: RecoveryStatus | null;
    }
  | {
      /** The connection was lost; the next attempt starts in `delay` ms. */
      readonly state: "reconnecting";
      /** 1 for the first attempt after a loss; counts consecutive failures after that. */
      readonly attempt: number;
      /** Milliseconds until the attempt. */
      readonly delay: number;
      /** Close code of the lost connection (1006 without a close frame, 4000 after a liveness timeout). */
      readonly code: number;
      /** Close reason of the lost connection. */
      readonly reason: string;
    }
  | {
      /** Closed for good: by `close()`, by the server with 1000, or reconnecting gave up. */
      readonly state: "closed";
      /** The last close code. */
      readonly code: number;
      /** The last close reason. */
      readonly reason: string;
    };

/** Options of one `request`. */
export interface RequestOptions {
  /** Milliseconds to wait for the answer (default: the client's `requestTimeout`); 0 waits without limit. */
  timeout?: number | undefined;
}
