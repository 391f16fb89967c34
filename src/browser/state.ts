/** What the browser client reports to a UI, and the options of one request. */

/** Where the connection stands, for a UI: each change is passed to `onState` listeners. */
export type ClientState =
  | {
      /** Opening a WebSocket (the first one, or a reconnect attempt). */
      readonly state: "connecting";
    }
  | {
      /** Connected: sends go straight out. */
      readonly state: "open";
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
