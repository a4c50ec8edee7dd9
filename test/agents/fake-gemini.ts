/**
 * A scripted fake of the Gemini API on 127.0.0.1, for driving the real Gemini
 * CLI (`GOOGLE_GEMINI_BASE_URL=<baseUrl>`) without a model or a network.
 *
 * Each turn of the conversation is one
 * `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`, answered with
 * the next scripted turn as server-sent events, the way the Gemini API
 * streams them:
 *
 *     data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"read_file","args":{…}}}]},"finishReason":"STOP"}],"usageMetadata":{…}}
 *
 * A turn is function calls (the CLI runs the tools and sends their results,
 * `functionResponse` parts, in the next request), a final text (the run
 * ends), or a stall (the request is accepted and never answered). A turn may
 * be a function of the request, to use what the CLI sent (the result file's
 * path from the prompt):
 *
 *     const fake = await startFakeGemini({ turns: [
 *       { calls: [{ name: "read_file", args: { file_path: "README.md" } }] },
 *       (request) => ({ calls: [{ name: "write_file", args: { file_path: findResultFile(request), content: "{}" } }] }),
 *       { text: "Done." },
 *     ] });
 *
 * Side requests are answered without using a turn: `:generateContent` with a
 * `responseJsonSchema` (the CLI's `generateJson`: model routing, the
 * next-speaker and loop checks, the edit fixer), `:countTokens`, and
 * `GET …/models`. A scripted call to a tool the request does not offer, and
 * any turn beyond the script, get a 400 that says so: the CLI does not retry a
 * 400, so the run ends at once and the test sees the message.
 *
 * Given as HTTPS_PROXY (with NO_PROXY=127.0.0.1) it is also a tripwire for the
 * real network: a CONNECT is refused and recorded as `unknown`. Every request
 * is recorded.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One scripted answer to a model turn. */
export type FakeGeminiTurn =
  /** Function calls, all in one model message; each name must be a tool the CLI offers in that request. */
  | { calls: { name: string; args: Record<string, unknown> }[] }
  /** The model's final answer: plain text, no calls, so the CLI ends its run. */
  | { text: string }
  /** Accept the request and never answer it (no headers, no bytes) until the fake closes. */
  | { stall: true };

export interface FakeGeminiRequest {
  method: string;
  /** Path and query, e.g. `/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse`; `host:port` for a CONNECT. */
  path: string;
  /** The parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  /** As Node parsed them (lower-case names): the key arrives in `x-goog-api-key`. */
  headers: http.IncomingHttpHeaders;
  /** Date.now() when the request arrived. */
  at: number;
  /** `turn`: a model turn (scripted or past the script); `side`: answered without a turn; `unknown`: refused (404, or a CONNECT). */
  kind: "turn" | "side" | "unknown";
  /** What the fake made of it, e.g. `turn 2: calls replace`, `side: generateJson {"complexity_score":10,…}`. */
  note: string;
}

export interface FakeGemini {
  /** Give this to the CLI as GOOGLE_GEMINI_BASE_URL. */
  baseUrl: string;
  requests: FakeGeminiRequest[];
  /** The names of the tools each model turn offered, in the order of the turns. */
  offeredTools(): string[][];
  close(): Promise<void>;
}

export type FakeGeminiScriptStep = FakeGeminiTurn | ((request: FakeGeminiRequest) => FakeGeminiTurn);

/** The usage numbers the fake reports; the CLI only counts them. */
const USAGE = { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 110 };

export async function startFakeGemini(params: { turns: FakeGeminiScriptStep[] }): Promise<FakeGemini> {
  const script = [...params.turns];
  const requests: FakeGeminiRequest[] = [];
  const toolsByTurn: string[][] = [];
  const sockets = new Set<Socket>();
  let turnCount = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      const route = path.split("?")[0] ?? "";
      const request: FakeGeminiRequest = {
        method: req.method ?? "GET",
        path,
        body: parseJson(Buffer.concat(chunks).toString("utf8")),
        headers: req.headers,
        at: Date.now(),
        kind: "unknown",
        note: "",
      };
      requests.push(request);
      const note = (kind: FakeGeminiRequest["kind"], text: string) => {
        request.kind = kind;
        request.note = text;
      };

      if (request.method === "POST" && route.endsWith(":streamGenerateContent")) {
        const offered = listOfferedTools(request.body);
        toolsByTurn.push(offered);
        turnCount += 1;
        const step = script.shift();
        const turn = typeof step === "function" ? step(request) : step;
        if (!turn) {
          note("turn", `turn ${turnCount}: beyond the script`);
          return sendError(res, `fake-gemini: no scripted turn left for request ${turnCount} (the script has ${turnCount - 1})`);
        }
        if ("stall" in turn) {
          note("turn", `turn ${turnCount}: stall`);
          return; // Never answered; close() ends the socket.
        }
        if ("text" in turn) {
          note("turn", `turn ${turnCount}: text`);
          return sendStream(res, [{ text: turn.text }]);
        }
        const names = turn.calls.map((call) => call.name);
        const notOffered = names.filter((name) => !offered.includes(name));
        if (notOffered.length > 0) {
          note("turn", `turn ${turnCount}: calls a tool not offered (${notOffered.join(", ")})`);
          return sendError(res, `fake-gemini: turn ${turnCount} calls ${notOffered.join(", ")}, but the CLI offered only: ${offered.join(", ") || "no tools"}`);
        }
        note("turn", `turn ${turnCount}: calls ${names.join(", ")}`);
        return sendStream(res, turn.calls.map((call) => ({ functionCall: { name: call.name, args: call.args } })));
      }
      if (request.method === "POST" && route.endsWith(":generateContent")) {
        const schema = findResponseSchema(request.body);
        const answer = schema === undefined ? "OK" : JSON.stringify(fillSchema(schema));
        note("side", schema === undefined ? "side: generateContent (text)" : `side: generateJson ${answer}`);
        return sendJson(res, 200, { candidates: [candidate([{ text: answer }])], usageMetadata: USAGE });
      }
      if (request.method === "POST" && route.endsWith(":countTokens")) {
        note("side", "side: countTokens");
        return sendJson(res, 200, { totalTokens: USAGE.promptTokenCount });
      }
      if (request.method === "GET" && /\/models\/?$/.test(route)) {
        note("side", "side: list models");
        return sendJson(res, 200, { models: [] });
      }
      note("unknown", `unknown: ${request.method} ${route}`);
      sendJson(res, 404, { error: { code: 404, message: `fake-gemini: nothing here: ${request.method} ${route}`, status: "NOT_FOUND" } });
    });
  });
  server.on("connect", (req: http.IncomingMessage, socket: Socket) => {
    const target = req.url ?? "";
    requests.push({ method: "CONNECT", path: target, body: undefined, headers: req.headers, at: Date.now(), kind: "unknown", note: `unknown: CONNECT ${target} (the real network)` });
    socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    offeredTools: () => toolsByTurn.map((tools) => [...tools]),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** All the text parts of a request's `contents`, joined: the prompt, and what the tools returned as text. */
export function textOf(request: FakeGeminiRequest): string {
  const contents = (request.body as { contents?: { parts?: { text?: unknown }[] }[] } | undefined)?.contents ?? [];
  return contents
    .flatMap((content) => content.parts ?? [])
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .join("\n");
}

/** The `functionResponse` parts of a request (the results of the tools the previous turn called). */
export function functionResponsesOf(request: FakeGeminiRequest): { name: string; response: Record<string, unknown> }[] {
  const contents = (request.body as { contents?: { parts?: { functionResponse?: { name: string; response: Record<string, unknown> } }[] }[] } | undefined)?.contents ?? [];
  const last = contents.at(-1)?.parts ?? [];
  return last.flatMap((part) => (part.functionResponse ? [{ name: part.functionResponse.name, response: part.functionResponse.response }] : []));
}

type Part = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

function candidate(parts: Part[]) {
  return { content: { role: "model", parts }, finishReason: "STOP", index: 0 };
}

/** The parts as SSE events and the end of the stream; a text comes in two events, as a real stream would send it. */
function sendStream(res: http.ServerResponse, parts: Part[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && "text" in only && only.text.length > 1) {
    const half = Math.ceil(only.text.length / 2);
    res.write(`data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: only.text.slice(0, half) }] }, index: 0 }] })}\r\n\r\n`);
    parts = [{ text: only.text.slice(half) }];
  }
  res.end(`data: ${JSON.stringify({ candidates: [candidate(parts)], usageMetadata: USAGE, modelVersion: "fake-gemini" })}\r\n\r\n`);
}

/** A Gemini API error: the CLI prints `message` and does not retry a 400. */
function sendError(res: http.ServerResponse, message: string): void {
  sendJson(res, 400, { error: { code: 400, message, status: "INVALID_ARGUMENT" } });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function listOfferedTools(body: unknown): string[] {
  const tools = (body as { tools?: { functionDeclarations?: { name?: unknown }[] }[] } | undefined)?.tools ?? [];
  return tools.flatMap((tool) => (tool.functionDeclarations ?? []).map((fn) => fn.name)).filter((name): name is string => typeof name === "string");
}

function findResponseSchema(body: unknown): JsonSchema | undefined {
  const config = (body as { generationConfig?: { responseJsonSchema?: JsonSchema; responseSchema?: JsonSchema } } | undefined)?.generationConfig;
  return config?.responseJsonSchema ?? config?.responseSchema;
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
}

/**
 * The answers that keep the CLI on its plain path, by property name: the
 * router sees an easy task (it then picks its flash model), the next-speaker
 * check hands the turn back to the user (so the run ends), the loop check sees
 * no loop. Anything else gets the first enum value or the smallest value of
 * its type.
 */
const KNOWN_ANSWERS: Record<string, unknown> = {
  complexity_score: 10,
  next_speaker: "user",
  unproductive_state_confidence: 0,
  noChangesRequired: false,
};

function fillSchema(schema: JsonSchema, name?: string): unknown {
  if (name !== undefined && name in KNOWN_ANSWERS) return KNOWN_ANSWERS[name];
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch ((schema.type ?? "").toLowerCase()) {
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, fillSchema(sub, key)]));
    case "array":
      return [];
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    default:
      return `fake-gemini ${name ?? "value"}`;
  }
}
