import { LIFECYCLE, writeHandler, type LifecycleKind, type OnMessageOptions } from "./metadata.js";
import { refuseStandardDecorator } from "./standard-decorators.js";

const NAMES: Readonly<Record<LifecycleKind, string>> = { open: "@OnOpen()", message: "@OnMessage()", close: "@OnClose()", error: "@OnError()" };

function lifecycle(kind: LifecycleKind, options: OnMessageOptions = {}): MethodDecorator {
  return (prototype, method) => {
    refuseStandardDecorator(NAMES[kind], method);
    writeHandler(prototype, { kind, method, options: Object.freeze({ ...options }) });
  };
}

/** Runs once per connection after the handshake was accepted, before any message is handled. */
export function OnOpen(): MethodDecorator {
  return lifecycle(LIFECYCLE.OPEN);
}

/**
 * Handles inbound messages. The parameter types choose what the method receives: `string` for text,
 * `Buffer`/`ArrayBuffer`/`Uint8Array` for binary, a class for a decoded and validated object.
 * A non-`undefined` return value is sent back to the peer.
 */
export function OnMessage(options: OnMessageOptions = {}): MethodDecorator {
  return lifecycle(LIFECYCLE.MESSAGE, options);
}

/** Runs exactly once per connection, last, with the `CloseReason`. */
export function OnClose(): MethodDecorator {
  return lifecycle(LIFECYCLE.CLOSE);
}

/** Receives errors raised while handling the connection (decode failures, handler errors). */
export function OnError(): MethodDecorator {
  return lifecycle(LIFECYCLE.ERROR);
}
