/**
 * Serves a FakeGitHub over real HTTP on 127.0.0.1 (a random port), for an orch
 * running as a child process, which nock in the test process cannot reach.
 * Point the child's Probot at it with GHE_HOST=<host> and GHE_PROTOCOL=http:
 * Probot then uses `http://<host>/api/v3` as Octokit's baseUrl (see
 * probot/lib/bin/read-env-options.js), and this server strips `/api/v3` before
 * the fake's router sees the path, so recorded paths look like GitHub.com's.
 *
 *     const server = await serveFakeGitHub(new FakeGitHub("acme", "widgets"));
 *     spawn(..., { env: { GHE_HOST: server.host, GHE_PROTOCOL: "http" } });
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeGitHub } from "./fake-github.js";

const API_PREFIX = "/api/v3";

export interface FakeGitHubServer {
  github: FakeGitHub;
  /** `127.0.0.1:<port>`: the value for GHE_HOST. */
  host: string;
  /** `http://127.0.0.1:<port>/api/v3`: the API root a GHE_HOST client uses. */
  apiUrl: string;
  close(): Promise<void>;
}

export async function serveFakeGitHub(github: FakeGitHub): Promise<FakeGitHubServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawUrl = req.url ?? "/";
      const uri = rawUrl.startsWith(`${API_PREFIX}/`) ? rawUrl.slice(API_PREFIX.length) : rawUrl;
      let answer: [number, unknown, Record<string, string>?];
      try {
        answer = github.route(req.method ?? "GET", uri, Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        answer = [500, { message: `fake GitHub crashed: ${String(error)}` }];
      }
      const [status, body, headers = {}] = answer;
      const isText = typeof body === "string";
      const payload = isText ? body : body === undefined ? "" : JSON.stringify(body);
      const lowerHeaders = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
      res.writeHead(status, {
        "content-type": isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
        ...lowerHeaders,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    github,
    host,
    apiUrl: `http://${host}${API_PREFIX}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
