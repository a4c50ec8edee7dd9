/**
 * Answers a request whose body is (partly) unread, then closes the
 * connection: the only way past a body one will not read.
 *
 * Not at once, though. A socket closed with unread data in it is reset
 * (RST), not closed, and a reset can cost the client the answer: the kernel
 * drops what it had not yet sent, and the client may never read what it had.
 * So, as nginx and Apache do ("lingering close"), the whole answer is written
 * first (`Connection: close`, Content-Length), then whatever the client still
 * sends is read and dropped until it goes quiet for `quietMs`, stops
 * (ends its body, or closes), or after `maxMs` or `maxDiscardBytes` in all;
 * only then does the response end, and Node closes the socket. Nothing read
 * is kept.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface LingerLimits {
  /** Close once the client has sent nothing for this long. */
  quietMs: number;
  /** Close after this long in any case. */
  maxMs: number;
  /** Close once this many more bytes have been dropped. */
  maxDiscardBytes: number;
}

export function answerAndClose(params: {
  request: IncomingMessage;
  response: ServerResponse;
  status: number;
  headers: Record<string, string>;
  body: string;
  limits: LingerLimits;
}): void {
  const { request, response, status, headers, body, limits } = params;
  response.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)), connection: "close" });
  // write, not end: ending is what makes Node close the socket, and that waits for the client.
  response.write(body);

  let dropped = 0;
  let isClosed = false;
  const close = () => {
    if (isClosed) return;
    isClosed = true;
    clearTimeout(quiet);
    clearTimeout(deadline);
    request.off("data", onData);
    request.off("end", close);
    request.off("close", close);
    request.resume();
    response.end();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limits.maxDiscardBytes) close();
    else quiet.refresh();
  };
  const quiet = setTimeout(close, limits.quietMs);
  const deadline = setTimeout(close, limits.maxMs);
  request.on("data", onData);
  request.once("end", close);
  request.once("close", close);
  request.resume();
}
