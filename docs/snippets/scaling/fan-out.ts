import type { ServerHandle } from "ws-endpoints";

/** Sends one 4 KiB binary message to every session in `room`, on every node. */
export async function fanOut(app: ServerHandle, room: string): Promise<number> {
  const payload = Buffer.alloc(4096, 0x2a);
  const { local, failed } = await app.broadcaster.broadcast(payload, { room });
  if (failed > 0) console.warn(`${failed} sessions could not take it`);
  return local;
}
