import type { IncomingMessage } from "node:http";

/** Bytes of a refused handshake's body kept for `HandshakeRefusedError.body`: enough for any reason text. */
export const REFUSED_BODY_LIMIT = 4096;

/**
 * Reads the body of a refused upgrade response, keeping at most `limit` bytes: a hostile or buggy
 * server cannot make the client buffer more, nor hold the failure longer than `timeoutMs`. Resolves
 * (never rejects) with the UTF-8 text read so far when the body ends, errors, exceeds the limit or
 * times out.
 */
export function readRefusedBody(res: IncomingMessage, limit: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.off("data", onData);
      res.resume(); // drain (or let the caller's destroy end) whatever follows; it is not kept
      resolve(Buffer.concat(chunks).subarray(0, limit).toString("utf8"));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    res.on("data", onData);
    res.once("end", finish);
    // `on`, not `once`: the caller destroys the request after this resolves, which may error the response again.
    res.on("error", finish);
    res.once("close", finish);
  });
}
