/**
 * An HTTP/1.1 request written by hand on a TCP socket, for the requests no
 * well-behaved client sends: a Content-Length far over what is then sent, or
 * a chunked body that goes on and on. The body is written in 64 KB pieces as
 * fast as the socket takes them, and writing stops at the first byte of the
 * answer, so the result says how much had been sent by the time the server
 * answered.
 *
 *     const { status, bytesSentBeforeAnswer } = await rawRequest({
 *       port, path: "/api/github/webhooks",
 *       headers: { "content-length": 300_000_000 }, bodyBytes: 300_000_000, sendAtMost: 4096,
 *     });
 */
import net from "node:net";

const PIECE = Buffer.alloc(64 * 1024, "a");

export interface RawResponse {
  status: number;
  /** Status line and headers, lower-cased names. */
  headers: Record<string, string>;
  /** The whole answer as text (status line, headers, body). */
  text: string;
  /** Body bytes written to the socket before the answer's first byte arrived. */
  bytesSentBeforeAnswer: number;
  /** The server closed the connection after answering. */
  isClosedByServer: boolean;
}

export async function rawRequest(params: {
  port: number;
  path: string;
  method?: string;
  headers: Record<string, string | number>;
  /** How many body bytes the client means to send. */
  bodyBytes: number;
  /** Frame the body as chunked transfer encoding (adds the header). */
  chunked?: boolean;
  /** Stop after this many body bytes and wait for the answer (a client that declares more than it sends). */
  sendAtMost?: number;
  timeoutMs?: number;
}): Promise<RawResponse> {
  const { port, path, method = "POST", bodyBytes, chunked = false, timeoutMs = 20_000 } = params;
  const limit = Math.min(bodyBytes, params.sendAtMost ?? bodyBytes);
  const headers = { host: `127.0.0.1:${port}`, ...params.headers, ...(chunked ? { "transfer-encoding": "chunked" } : {}) };
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;

  const socket = net.connect({ port, host: "127.0.0.1" });
  const received: Buffer[] = [];
  let sent = 0;
  let sentBeforeAnswer: number | undefined;
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once("close", () => {
    isClosed = true;
    resolve();
  }));
  // A server that stops reading and closes makes our writes fail (EPIPE, ECONNRESET); the answer came first.
  socket.on("error", () => {});
  socket.on("data", (data: Buffer) => {
    sentBeforeAnswer ??= sent;
    received.push(data);
  });
  let isEnded = false;
  socket.once("end", () => (isEnded = true));
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.write(head);
    while (sent < limit && sentBeforeAnswer === undefined && !isClosed) {
      const piece = PIECE.subarray(0, Math.min(PIECE.length, limit - sent));
      const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
      sent += piece.length;
      if (!socket.write(framed)) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
    }
    if (chunked && sent === bodyBytes && !isClosed) socket.write("0\r\n\r\n");
    // Wait for the whole answer: the server closes, or a complete response (Content-Length) is in.
    while (!isClosed && !isComplete(Buffer.concat(received).toString("latin1"))) {
      await Promise.race([new Promise((resolve) => socket.once("data", resolve)), closed]);
    }
    if (!isClosed) {
      // Give a server that means to close (after lingering a little) a moment to do it.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    }
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
  const text = Buffer.concat(received).toString("utf8");
  if (!text) throw new Error(`no answer within ${timeoutMs} ms (sent ${sent} body bytes)`);
  const [headText = ""] = text.split("\r\n\r\n", 1);
  const [statusLine = "", ...headerLines] = headText.split("\r\n");
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()])),
    text,
    bytesSentBeforeAnswer: sentBeforeAnswer ?? sent,
    isClosedByServer: isEnded || isClosed,
  };
}

/** A final (not 1xx) response whose Content-Length body is all there. */
function isComplete(text: string): boolean {
  const responses = text.split(/(?=HTTP\/1\.1 )/u).filter((part) => !part.startsWith("HTTP/1.1 1"));
  const last = responses.at(-1);
  if (!last) return false;
  const end = last.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/iu.exec(last.slice(0, end))?.[1];
  return length !== undefined && Buffer.byteLength(last.slice(end + 4), "latin1") >= Number(length);
}
