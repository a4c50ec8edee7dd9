/**
 * The one-process queue's door for other processes on the same machine:
 * the operator's command line (`npx orch cancel`, `retry`, `cleanup`) asks
 * the running `npm start` (SQLite, local-queue.ts) to stop an agent it runs,
 * remove a worktree, or look for queued attempts, over a unix socket at
 * `<ORCH_HOME>/control.sock`.
 *
 * Why a socket in ORCH_HOME: only the user orch runs as can open it (the
 * file is 0600 and every agent sandbox hides ORCH_HOME), it needs no port,
 * and "nothing listens" is an instant ENOENT or ECONNREFUSED, so the command
 * line knows at once to act in the store itself.
 *
 * Protocol: one JSON object per line each way. A request is a ControlMessage
 * or `{"kind":"wake"}`; the answer, once the server has handled it, is
 * `{"ok":true}` or `{"ok":false,"error":"…"}`. Anything else is refused
 * and the connection closed.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import type { ControlMessage } from "./work-queue.js";

/** What the command line may ask: a control message for an attempt, or a wake-up for the scheduler. */
export type SocketRequest = ControlMessage | { kind: "wake" };

const attemptId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const REQUEST = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("cancel"), attemptId, by: z.string().max(200).optional(), why: z.string().min(1).max(1_000) }),
  z.strictObject({ kind: z.literal("cleanup"), attemptId }),
  z.strictObject({ kind: z.literal("verify"), attemptId }),
  z.strictObject({ kind: z.literal("wake") }),
]);

/** A request line longer than this is not one of ours. */
const MAX_LINE = 4_096;
/** unix(7): sun_path holds 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;

/** Where the socket of the orch that uses ORCH_HOME `home` listens. */
export function controlSocketPath(home: string): string {
  return path.join(home, "control.sock");
}

export interface ControlSocketServer {
  close(): Promise<void>;
}

/**
 * Listens on `socketPath` and hands each request to `handle`. A socket file
 * left by an orch that died is replaced; one that another live process
 * answers on is left alone (two servers on one ORCH_HOME is a mistake the
 * caller is told of). Resolves undefined, with `warn` told why, when it
 * cannot listen: the command line then acts in the store directly.
 */
export async function listenControlSocket(params: {
  socketPath: string;
  handle: (request: SocketRequest) => Promise<void>;
  warn: (message: string, error?: unknown) => void;
}): Promise<ControlSocketServer | undefined> {
  const { socketPath, handle, warn } = params;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    warn(`the control socket path ${socketPath} is longer than unix sockets allow (${MAX_SOCKET_PATH} bytes); \`npx orch cancel\` and \`retry\` will act on the database only. Use a shorter ORCH_HOME.`);
    return undefined;
  }
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  if (fs.existsSync(socketPath)) {
    if (await isAnswering(socketPath)) {
      warn(`another process already listens on ${socketPath}: is a second orch running with the same ORCH_HOME? This one takes no commands from \`npx orch\`.`);
      return undefined;
    }
    fs.rmSync(socketPath, { force: true });
  }
  const server = net.createServer((connection) => serveConnection(connection, handle, warn));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // A socket is created with the umask's mode; only orch's own user may talk to it.
    fs.chmodSync(socketPath, 0o600);
  } catch (error) {
    warn(`could not listen on ${socketPath}; \`npx orch cancel\` and \`retry\` will act on the database only`, error);
    server.close();
    return undefined;
  }
  server.on("error", (error) => warn("the control socket failed", error));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(socketPath, { force: true });
      }),
  };
}

function serveConnection(connection: net.Socket, handle: (request: SocketRequest) => Promise<void>, warn: (message: string, error?: unknown) => void): void {
  connection.setEncoding("utf8");
  let buffered = "";
  let busy = Promise.resolve();
  const answer = (body: { ok: true } | { ok: false; error: string }) => {
    if (!connection.destroyed) connection.write(`${JSON.stringify(body)}\n`);
  };
  connection.on("error", () => undefined);
  connection.on("data", (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE && !buffered.includes("\n")) {
      answer({ ok: false, error: "request too long" });
      connection.end();
      return;
    }
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const request = parseRequest(line);
      if (!request) {
        answer({ ok: false, error: "not a request orch knows" });
        connection.end();
        return;
      }
      // One at a time per connection, answered in order.
      busy = busy.then(async () => {
        try {
          await handle(request);
          answer({ ok: true });
        } catch (error) {
          warn("a control request failed", error);
          answer({ ok: false, error: "the server could not do it; its log has the details" });
        }
      });
    }
  });
}

function parseRequest(line: string): SocketRequest | undefined {
  if (line.length > MAX_LINE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = REQUEST.safeParse(value);
  if (!parsed.success) return undefined;
  const { data } = parsed;
  if (data.kind !== "cancel") return data;
  return { kind: "cancel", attemptId: data.attemptId, why: data.why, ...(data.by === undefined ? {} : { by: data.by }) };
}

/** What sending a request came to: the server did it, nothing listens, or the server said it could not. */
export type SendResult = { kind: "done" } | { kind: "no_server" } | { kind: "failed"; error: string };

/**
 * Sends one request to the orch listening on `socketPath` and waits for its
 * answer (a cancel is answered once the agent is being stopped). "no_server"
 * when nothing listens there.
 */
export function sendControlRequest(socketPath: string, request: SocketRequest, timeoutMs = 30_000): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    let buffered = "";
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.destroy();
      resolve(result);
    };
    const connection = net.createConnection(socketPath);
    const timer = setTimeout(() => finish({ kind: "failed", error: `no answer within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    connection.setEncoding("utf8");
    connection.on("connect", () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      try {
        const answer = JSON.parse(buffered.slice(0, newline)) as { ok?: boolean; error?: string };
        finish(answer.ok === true ? { kind: "done" } : { kind: "failed", error: String(answer.error ?? "refused") });
      } catch {
        finish({ kind: "failed", error: "an answer orch does not understand" });
      }
    });
    connection.on("error", (error: NodeJS.ErrnoException) => {
      // No socket file, or one nobody listens on (the orch that made it died).
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") finish({ kind: "no_server" });
      else finish({ kind: "failed", error: error.code ?? error.message });
    });
    connection.on("close", () => finish({ kind: "failed", error: "the server closed the connection without an answer" }));
  });
}

async function isAnswering(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
