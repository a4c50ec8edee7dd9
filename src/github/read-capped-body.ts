/**
 * Reads a request body into memory, but never more than `maxBytes` of it:
 * the bytes are counted as they arrive (a chunked body declares no length,
 * and a declared one is checked by the caller before reading), and reading
 * stops at the first chunk that passes the cap. The chunks read so far are
 * dropped, and the request is left paused for the caller to answer 413 and
 * close the connection.
 */
import type { IncomingMessage } from "node:http";

export type BodyReadResult =
  /** The whole body. */
  | { kind: "read"; body: Buffer }
  /** The body passed `maxBytes`; `bytesRead` is where reading stopped. */
  | { kind: "too-large"; bytesRead: number }
  /** The client went away (or the socket failed) before the body ended; there is no one to answer. */
  | { kind: "aborted" };

export function readCappedBody(request: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: BodyReadResult) => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onAborted);
      request.off("close", onAborted);
      chunks = [];
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        settle({ kind: "too-large", bytesRead: size });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle({ kind: "read", body: Buffer.concat(chunks, size) });
    const onAborted = () => settle({ kind: "aborted" });
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onAborted);
    // 'close' before 'end' means the client aborted; after 'end' the listener is already gone.
    request.on("close", onAborted);
  });
}
