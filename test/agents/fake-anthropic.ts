/**
 * A scripted fake of the Anthropic Messages API on 127.0.0.1, for driving the
 * real Claude Code CLI end to end without a model.
 *
 *     const fake = await startFakeAnthropic({
 *       turns: [
 *         { toolUses: [{ name: "Read", input: { file_path: "/repo/README.md" } }] },
 *         { text: "Done." },
 *       ],
 *     });
 *     // ANTHROPIC_BASE_URL=fake.baseUrl ANTHROPIC_API_KEY=anything claude -p …
 *
 * Every `POST /v1/messages` that offers tools is one step of Claude Code's
 * agent loop and gets the next scripted turn, streamed as the API streams it
 * (`stream: true`: message_start, ping, content_block_start / _delta / _stop
 * per block, message_delta with the stop reason, message_stop), or as one JSON
 * message when the request does not stream. A turn with `toolUses` ends with
 * stop_reason "tool_use", and Claude Code answers with the tools' results in
 * its next request; a turn with only `text` ends the loop ("end_turn"). A
 * `stall` turn accepts the request and never answers, as a hung model would.
 *
 * Side requests do not consume a turn: a `POST /v1/messages` with no tools
 * (the session title Claude Code asks for at the start, with a JSON schema in
 * `output_config.format`; a topic or quota check), `/v1/messages/count_tokens`,
 * and the connection warm-up `HEAD /` get short canned answers (JSON that fits
 * the schema, when there is one). Anything else is answered 404. A scripted
 * tool the request does not offer, an input its schema rejects, a turn
 * function that throws, and any model request after the script ran out are
 * answered with a 400 whose message says so (the API's error shape, which
 * Claude Code does not retry: it exits 1 with "API Error: 400 …") and listed
 * in `problems`. Every request is recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One tool call of a scripted turn; `input` must satisfy the tool's `input_schema` in the request. */
export interface FakeToolUse {
  name: string;
  input: Record<string, unknown>;
}

export type FakeTurn =
  /** Calls these tools (in one assistant message, optionally after some text): stop_reason "tool_use". */
  | { toolUses: FakeToolUse[]; text?: string }
  /** A final answer: stop_reason "end_turn". */
  | { text: string }
  /** Accepts the request and never answers: no status line, no headers, no bytes. */
  | { stall: true };

/** A turn, or a function that makes one from the request it answers (to use paths or results in it). */
export type ScriptedTurn = FakeTurn | ((request: MessagesRequest) => FakeTurn);

/** The parts of a Messages API request body the fake reads. */
export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  system?: unknown;
  messages?: { role: string; content: unknown }[];
  tools?: { name: string; input_schema?: JsonSchema }[];
  [key: string]: unknown;
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** With the query string, e.g. `/v1/messages?beta=true`. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Date.now() when the request had arrived whole. */
  at: number;
  /** turn: answered from the script (`turn` is its index); side: a canned answer; refused: a 400 or 404. */
  kind: "turn" | "side" | "refused";
  turn?: number;
}

export interface FakeAnthropic {
  /** For ANTHROPIC_BASE_URL: `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Why a request was refused; empty when Claude Code did only what the script expected. */
  problems: string[];
  /** How many scripted turns were answered (a stall counts once it is reached). */
  readonly turnsUsed: number;
  /** Closes the server and every connection, stalled ones included. */
  close(): Promise<void>;
}

/** The tool_result blocks of the request's last user message (what Claude Code reports back from the previous turn's tools). */
export function findToolResults(request: MessagesRequest): { tool_use_id: string; is_error?: boolean; content: unknown }[] {
  const last = request.messages?.at(-1);
  if (!last || last.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content.filter((block): block is { type: "tool_result"; tool_use_id: string; is_error?: boolean; content: unknown } =>
    typeof block === "object" && block !== null && (block as { type?: unknown }).type === "tool_result",
  );
}

/** A tool result's content as one string (it is a string or a list of text blocks). */
export function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((block) => (typeof block?.text === "string" ? block.text : "")).join("");
  return "";
}

/** The text of the request's first user message: the prompt Claude Code was given (after any reminders it adds in front). */
export function findPromptText(request: MessagesRequest): string {
  const first = request.messages?.find((message) => message.role === "user");
  if (!first) return "";
  if (typeof first.content === "string") return first.content;
  if (!Array.isArray(first.content)) return "";
  const texts = first.content.filter((block) => typeof block?.text === "string").map((block) => block.text as string);
  return texts.at(-1) ?? "";
}

/** The folder Claude Code runs in, as its system prompt states it ("Primary working directory: …"). */
export function findWorkingDirectory(request: MessagesRequest): string | undefined {
  const system = request.system;
  const texts = typeof system === "string" ? [system] : Array.isArray(system) ? system.map((block) => (typeof block?.text === "string" ? block.text : "")) : [];
  return /^ - Primary working directory: (.+)$/m.exec(texts.join("\n"))?.[1];
}

export async function startFakeAnthropic(params: { turns: ScriptedTurn[] }): Promise<FakeAnthropic> {
  const { turns } = params;
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  let turnsUsed = 0;
  let messageCount = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const record: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: parseBody(text),
        at: Date.now(),
        kind: "side",
      };
      requests.push(record);
      const refuse = (status: number, type: string, message: string) => {
        record.kind = "refused";
        problems.push(`${record.method} ${record.path}: ${message}`);
        sendJson(res, status, { type: "error", error: { type, message: `fake-anthropic: ${message}` } });
      };

      const pathname = record.path.split("?")[0];
      if (pathname === "/" && (record.method === "HEAD" || record.method === "GET")) {
        // Claude Code warms its connection up with `HEAD /` before the first model request.
        res.writeHead(200, { "content-length": "0" }).end();
        return;
      }
      if (record.method !== "POST" || (pathname !== "/v1/messages" && pathname !== "/v1/messages/count_tokens")) {
        refuse(404, "not_found_error", `no such endpoint in this fake (only POST /v1/messages and /v1/messages/count_tokens)`);
        return;
      }
      const body = (typeof record.body === "object" && record.body !== null ? record.body : {}) as MessagesRequest;
      if (pathname === "/v1/messages/count_tokens") {
        sendJson(res, 200, { input_tokens: Math.ceil(text.length / 4) });
        return;
      }
      messageCount += 1;
      const messageId = `msg_fake_${messageCount}`;
      if (!Array.isArray(body.tools) || body.tools.length === 0) {
        sendMessage(res, { body, messageId, turn: { text: answerSideRequest(body) } });
        return;
      }
      if (turnsUsed >= turns.length) {
        refuse(400, "invalid_request_error", `model request ${turnsUsed + 1} is beyond the script (${turns.length} turn${turns.length === 1 ? "" : "s"})`);
        return;
      }
      const index = turnsUsed++;
      record.kind = "turn";
      record.turn = index;
      const scripted = turns[index]!;
      let turn: FakeTurn;
      try {
        turn = typeof scripted === "function" ? scripted(body) : scripted;
      } catch (error) {
        refuse(400, "invalid_request_error", `turn ${index + 1} could not be made from this request: ${(error as Error).message}`);
        return;
      }
      if ("stall" in turn) return; // never answered; close() ends the connection
      if ("toolUses" in turn) {
        const mismatch = turn.toolUses.map((use) => checkToolUse(use, body.tools!)).find((problem) => problem !== undefined);
        if (mismatch) {
          refuse(400, "invalid_request_error", `turn ${index + 1}: ${mismatch}`);
          return;
        }
      }
      sendMessage(res, { body, messageId, turn });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    problems,
    get turnsUsed() {
      return turnsUsed;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A side request's answer: JSON that fits `output_config.format`'s schema when it has one (the title request), else "ok". */
function answerSideRequest(body: MessagesRequest): string {
  const format = (body.output_config as { format?: { type?: string; schema?: JsonSchema } } | undefined)?.format;
  if (format?.type !== "json_schema" || !format.schema) return "ok";
  return JSON.stringify(exampleOf(format.schema));
}

function exampleOf(schema: JsonSchema): unknown {
  switch (schema.type) {
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, exampleOf(property)]));
    case "array":
      return [];
    case "string":
      return "Scripted session";
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    default:
      return null;
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "request-id": "req_fake" }).end(text);
}

/** Why the request's tools cannot take this call (unknown name, missing or unknown property), or undefined. */
function checkToolUse(use: FakeToolUse, tools: NonNullable<MessagesRequest["tools"]>): string | undefined {
  const tool = tools.find((offered) => offered.name === use.name);
  if (!tool) return `the script calls ${use.name}, which the request does not offer (it offers ${tools.map((t) => t.name).join(", ")})`;
  const schema = tool.input_schema ?? {};
  const missing = (schema.required ?? []).filter((name) => !(name in use.input));
  if (missing.length > 0) return `the script calls ${use.name} without ${missing.join(", ")}, which its input_schema requires`;
  const known = Object.keys(schema.properties ?? {});
  const unknown = schema.additionalProperties === false ? Object.keys(use.input).filter((name) => !known.includes(name)) : [];
  if (unknown.length > 0) return `the script calls ${use.name} with ${unknown.join(", ")}, which its input_schema does not have (${known.join(", ")})`;
  return undefined;
}

type ContentBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

function sendMessage(
  res: http.ServerResponse,
  params: { body: MessagesRequest; messageId: string; turn: { text?: string; toolUses?: FakeToolUse[] } },
): void {
  const { body, messageId, turn } = params;
  const blocks: ContentBlock[] = [
    ...(turn.text ? [{ type: "text" as const, text: turn.text }] : []),
    ...(turn.toolUses ?? []).map((use, i) => ({ type: "tool_use" as const, id: `toolu_${messageId.slice(4)}_${i}`, name: use.name, input: use.input })),
  ];
  const stopReason = turn.toolUses && turn.toolUses.length > 0 ? "tool_use" : "end_turn";
  const model = body.model ?? "claude-fake";
  const outputTokens = Math.max(1, Math.ceil(JSON.stringify(blocks).length / 4));
  const usage = { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

  if (!body.stream) {
    sendJson(res, 200, {
      id: messageId,
      type: "message",
      role: "assistant",
      model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { ...usage, output_tokens: outputTokens },
    });
    return;
  }

  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": "req_fake" });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: { id: messageId, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  event("ping", {});
  blocks.forEach((block, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of halves(block.text)) event("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
    } else {
      event("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      // The API streams a tool's input as JSON text in pieces that are not valid JSON on their own.
      for (const piece of halves(JSON.stringify(block.input))) event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  event("message_stop", {});
  res.end();
}

function halves(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.floor(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}
