/**
 * A scripted fake of the OpenAI Responses API on 127.0.0.1, for driving the
 * real Codex CLI end to end without a model or a network.
 *
 * Each `POST /v1/responses` gets the next scripted turn, streamed as Server-Sent
 * Events the way Codex reads them: `response.created`, then per output item
 * `response.output_item.added` and `.done`, then `response.completed` with
 * usage. A turn is written as what the model does (run a shell command, apply a
 * patch, answer), and the fake words it in the tool format the request offers:
 *
 * - Codex 0.171.0's default models are "code mode only" (`tool_mode:
 *   code_mode_only`, `use_responses_lite` in `codex debug models`): the request
 *   has no top-level `tools`; its first `input` item is `{type:
 *   "additional_tools"}` with a `functions` namespace holding one custom tool,
 *   `exec`, that runs JavaScript in which `tools.exec_command({cmd})` and
 *   `tools.apply_patch(patch)` are the nested tools. A shell turn becomes a
 *   `custom_tool_call` to `exec` with a two-line script; its result comes back
 *   in the next request as a `custom_tool_call_output`.
 * - Models without code mode (`-m gpt-5.5`) get their tools at the top level,
 *   `exec_command` as a `function` and `apply_patch` as a `custom` (freeform)
 *   tool; the fake answers with a `function_call` or a `custom_tool_call` to
 *   those instead.
 *
 * Other requests are answered minimally: Codex first tries the Responses API
 * over a WebSocket (`GET /v1/responses` with `Upgrade: websocket`); 426 makes it
 * fall back to HTTP at once (a 404 costs five reconnects, about 6 s). `GET
 * /v1/models` gets an empty list. Anything else, a request beyond the script, or
 * a tool format the fake does not know is answered 400 with a message saying
 * so, and listed in `problems`, which a test expects to stay empty.
 *
 *     const fake = await startFakeOpenAI({ turns: [{ shell: "cat README.md" }, { message: "done" }] });
 *     // codex exec -c openai_base_url=<fake.baseUrl> ...
 *     await fake.close();
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";

/** One model response. */
export type FakeTurn =
  /** The model runs one shell command. */
  | { shell: string }
  /** The model edits files with an apply_patch patch (`*** Begin Patch` ... `*** End Patch`). */
  | { patch: string }
  /** The model answers and ends its turn. */
  | { message: string }
  /**
   * The model never answers: the request is read and the connection kept open
   * until close(), with nothing sent at all, or (`afterCreated`) with the
   * stream's headers and its `response.created` event, then silence.
   */
  | { stall: true; afterCreated?: boolean };

export interface RecordedRequest {
  method: string;
  /** The path with its query, e.g. `/v1/responses`. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** Date.now() when the request had been read. */
  at: number;
}

export interface FakeOpenAI {
  /** For `openai_base_url`: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The `POST /v1/responses` requests only. */
  modelRequests(): RecordedRequest[];
  /** What went wrong on the fake's side (unscripted requests, unknown endpoints or tool formats); empty when all went to plan. */
  problems: string[];
  /** Stops listening and drops every open connection, stalled ones included. */
  close(): Promise<void>;
}

/** A tool call's output as the model got it back, in the order of the request's input. */
export interface ToolOutput {
  callId: string;
  text: string;
}

/** A turn, or how to make it from the request it answers (to use a path the prompt names, say). */
export type ScriptedTurn = FakeTurn | ((request: RecordedRequest) => FakeTurn);

export async function startFakeOpenAI(params: { turns: ScriptedTurn[] }): Promise<FakeOpenAI> {
  const turns = [...params.turns];
  const scripted = turns.length;
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  let responseCount = 0;
  let callCount = 0;

  const modelRequests = () => requests.filter((r) => r.method === "POST" && r.path.split("?")[0] === "/v1/responses");
  const refuse = (res: http.ServerResponse, status: number, message: string) => {
    problems.push(message);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message, type: "invalid_request_error", code: null, param: null } }));
  };

  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    void readBody(req).then(
      (raw) => {
        let body: unknown;
        try {
          body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
        } catch {
          refuse(res, 400, `fake-openai: ${req.method} ${path} has a body that is not JSON`);
          return;
        }
        const request: RecordedRequest = { method: req.method ?? "", path, headers: req.headers, body, at: Date.now() };
        requests.push(request);
        const route = `${req.method} ${path.split("?")[0]}`;

        if (route === "GET /v1/responses" && req.headers.upgrade?.toLowerCase() === "websocket") {
          // "Upgrade Required": Codex stops trying WebSockets and streams over HTTP.
          res.writeHead(426, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: "this fake speaks HTTP streaming only" } }));
          return;
        }
        if (route === "GET /v1/models") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ object: "list", data: [] }));
          return;
        }
        if (route !== "POST /v1/responses") {
          refuse(res, 404, `fake-openai: no such endpoint ${route}`);
          return;
        }
        const next = turns.shift();
        if (!next) {
          refuse(res, 400, `fake-openai: model request ${modelRequests().length} has no scripted turn (the script has ${scripted})`);
          return;
        }
        let turn: FakeTurn;
        try {
          turn = typeof next === "function" ? next(request) : next;
        } catch (error) {
          refuse(res, 400, `fake-openai: model request ${modelRequests().length}: its scripted turn failed: ${(error as Error).message}`);
          return;
        }
        if ("stall" in turn) {
          // Never answered; close() drops the connection.
          if (turn.afterCreated) startStream(res, `resp_${++responseCount}`);
          return;
        }
        const items = buildOutputItems({ turn, body, nextCallId: () => `call_${++callCount}` });
        if ("problem" in items) {
          refuse(res, 400, items.problem);
          return;
        }
        streamResponse(res, `resp_${++responseCount}`, items.items);
      },
      (error: Error) => refuse(res, 400, `fake-openai: could not read the body of ${req.method} ${path}: ${error.message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    modelRequests,
    problems,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The tool outputs the model was sent back in one request (`function_call_output`
 * and `custom_tool_call_output` items), flattened to text.
 */
export function findToolOutputs(request: RecordedRequest): ToolOutput[] {
  const input = (request.body as { input?: unknown } | undefined)?.input;
  if (!Array.isArray(input)) return [];
  return input.flatMap((item: Record<string, unknown>) => {
    if (item.type !== "function_call_output" && item.type !== "custom_tool_call_output") return [];
    return [{ callId: String(item.call_id), text: flattenOutput(item.output) }];
  });
}

/** The text of the user messages in a request's input (the prompt, and Codex's own environment context). */
export function findUserText(request: RecordedRequest): string[] {
  const input = (request.body as { input?: unknown } | undefined)?.input;
  if (!Array.isArray(input)) return [];
  return input.flatMap((item: Record<string, unknown>) =>
    item.type === "message" && item.role === "user" ? [flattenOutput(item.content)] : [],
  );
}

function flattenOutput(output: unknown): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return output.map((part: { text?: unknown }) => (typeof part.text === "string" ? part.text : "")).join("");
  if (output && typeof output === "object" && "content" in output) return flattenOutput((output as { content: unknown }).content);
  return JSON.stringify(output);
}

type OutputItem = Record<string, unknown>;

/** How the request lets the model run a command and apply a patch. */
interface ToolFormat {
  shell: (command: string, callId: string) => OutputItem;
  patch: (patch: string, callId: string) => OutputItem;
}

function buildOutputItems(params: {
  turn: Exclude<FakeTurn, { stall: true }>;
  body: unknown;
  nextCallId: () => string;
}): { items: OutputItem[] } | { problem: string } {
  const { turn, body, nextCallId } = params;
  if ("message" in turn) {
    return {
      items: [{ type: "message", id: `msg_${nextCallId()}`, role: "assistant", status: "completed", content: [{ type: "output_text", text: turn.message, annotations: [] }] }],
    };
  }
  const format = findToolFormat(body);
  if ("problem" in format) return format;
  const callId = nextCallId();
  return { items: ["shell" in turn ? format.shell(turn.shell, callId) : format.patch(turn.patch, callId)] };
}

interface ToolSpec {
  type?: string;
  name?: string;
  tools?: ToolSpec[];
}

function findToolFormat(body: unknown): ToolFormat | { problem: string } {
  const request = (body ?? {}) as { tools?: ToolSpec[]; input?: { type?: string; tools?: ToolSpec[] }[] };
  const offered = [...(request.tools ?? []), ...(request.input ?? []).filter((item) => item.type === "additional_tools").flatMap((item) => item.tools ?? [])];
  const flat = offered.flatMap((tool) => (tool.type === "namespace" ? (tool.tools ?? []).map((inner) => ({ ...inner, namespace: tool.name })) : [{ ...tool, namespace: undefined }]));
  const find = (name: string) => flat.find((tool) => tool.name === name);

  const codeMode = find("exec");
  if (codeMode?.type === "custom") {
    // text() appends to what `exec` returns to the model; "[exit N]" keeps the command's status visible.
    const run = (script: string, callId: string): OutputItem => ({ type: "custom_tool_call", id: `ctc_${callId}`, status: "completed", call_id: callId, name: "exec", input: script });
    return {
      shell: (command, callId) =>
        run(`const r = await tools.exec_command(${JSON.stringify({ cmd: command })});\ntext(r.output + "\\n[exit " + r.exit_code + "]");`, callId),
      patch: (patch, callId) => run(`text(await tools.apply_patch(${JSON.stringify(patch)}));`, callId),
    };
  }
  const execCommand = find("exec_command");
  const applyPatch = find("apply_patch");
  if (execCommand?.type === "function" && applyPatch?.type === "custom") {
    return {
      shell: (command, callId) => ({ type: "function_call", id: `fc_${callId}`, status: "completed", call_id: callId, name: "exec_command", arguments: JSON.stringify({ cmd: command }) }),
      patch: (patch, callId) => ({ type: "custom_tool_call", id: `ctc_${callId}`, status: "completed", call_id: callId, name: "apply_patch", input: patch }),
    };
  }
  const names = flat.map((tool) => (tool.namespace ? `${tool.namespace}.${tool.name}` : tool.name)).join(", ");
  return { problem: `fake-openai: the request offers no tool format the fake knows (offered: ${names || "none"})` };
}

/** Sends the stream's headers and `response.created`; returns how to send the events after it. */
function startStream(res: http.ServerResponse, id: string) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let sequence = 0;
  const send = (type: string, data: Record<string, unknown>) => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  };
  const response = { id, object: "response", created_at: Math.floor(Date.now() / 1000), status: "in_progress", model: "fake", output: [] as OutputItem[] };
  send("response.created", { response });
  return { send, response };
}

function streamResponse(res: http.ServerResponse, id: string, items: OutputItem[]): void {
  const { send, response } = startStream(res, id);
  items.forEach((item, index) => {
    send("response.output_item.added", { output_index: index, item });
    if (item.type === "message") {
      const text = ((item.content as { text: string }[])[0] ?? { text: "" }).text;
      send("response.output_text.delta", { item_id: item.id, output_index: index, content_index: 0, delta: text });
    }
    send("response.output_item.done", { output_index: index, item });
  });
  const usage = { input_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens: 10, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 110 };
  send("response.completed", { response: { ...response, status: "completed", output: items, usage } });
  res.end();
}

/** The request body, inflated when the client compressed it. */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", reject);
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers["content-encoding"];
      try {
        if (encoding === undefined || encoding === "identity") resolve(raw);
        else if (encoding === "gzip") resolve(zlib.gunzipSync(raw));
        else if (encoding === "deflate") resolve(zlib.inflateSync(raw));
        else if (encoding === "br") resolve(zlib.brotliDecompressSync(raw));
        else reject(new Error(`content-encoding ${encoding} is not supported`));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}
