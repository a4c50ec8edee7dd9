/**
 * The socket the one-process queue listens on for `npx orch`: a real unix
 * socket in a temporary ORCH_HOME.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { controlSocketPath, listenControlSocket, sendControlRequest, type SocketRequest } from "./control-socket.js";

describe("the control socket", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  function tempHome(): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "orch-sock-"));
    closers.push(async () => fs.rmSync(home, { recursive: true, force: true }));
    return home;
  }

  async function listen(home: string, handle: (request: SocketRequest) => Promise<void>, warnings: string[] = []) {
    const server = await listenControlSocket({ socketPath: controlSocketPath(home), handle, warn: (message) => void warnings.push(message) });
    if (server) closers.unshift(() => server.close());
    return server;
  }

  it("hands a request to the server and answers once it is handled; only orch's user may open it", async () => {
    const home = tempHome();
    const seen: SocketRequest[] = [];
    await listen(home, async (request) => void seen.push(request));
    expect(fs.statSync(controlSocketPath(home)).mode & 0o777).toBe(0o600);
    expect(await sendControlRequest(controlSocketPath(home), { kind: "cancel", attemptId: 7, why: "cancelled by the operator" })).toEqual({ kind: "done" });
    expect(await sendControlRequest(controlSocketPath(home), { kind: "wake" })).toEqual({ kind: "done" });
    expect(seen).toEqual([{ kind: "cancel", attemptId: 7, why: "cancelled by the operator" }, { kind: "wake" }]);
  });

  it("says no_server when nothing listens, whether the file is missing or left by a dead orch", async () => {
    const home = tempHome();
    expect(await sendControlRequest(controlSocketPath(home), { kind: "wake" })).toEqual({ kind: "no_server" });
    const stale = await listen(home, async () => {});
    // Closing unlinks it; a crashed orch leaves the file behind: make one nobody listens on.
    await stale!.close();
    const dead = net.createServer();
    await new Promise<void>((resolve) => dead.listen(controlSocketPath(home), resolve));
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    fs.writeFileSync(controlSocketPath(home), "");
    expect(await sendControlRequest(controlSocketPath(home), { kind: "wake" })).toEqual({ kind: "no_server" });
  });

  it("replaces a socket file nobody answers on", async () => {
    const home = tempHome();
    fs.writeFileSync(controlSocketPath(home), "left over");
    const seen: SocketRequest[] = [];
    expect(await listen(home, async (request) => void seen.push(request))).toBeDefined();
    expect(await sendControlRequest(controlSocketPath(home), { kind: "cleanup", attemptId: 3 })).toEqual({ kind: "done" });
    expect(seen).toEqual([{ kind: "cleanup", attemptId: 3 }]);
  });

  it("leaves alone a socket another live process answers on, and says so", async () => {
    const home = tempHome();
    await listen(home, async () => {});
    const warnings: string[] = [];
    expect(await listen(home, async () => {}, warnings)).toBeUndefined();
    expect(warnings.join("\n")).toContain("is a second orch running with the same ORCH_HOME?");
  });

  it.each([
    { name: "not JSON", line: "cancel 7" },
    { name: "an unknown kind", line: JSON.stringify({ kind: "dispatch", attemptId: 1 }) },
    { name: "a fractional id", line: JSON.stringify({ kind: "cleanup", attemptId: 1.5 }) },
    { name: "an extra key", line: JSON.stringify({ kind: "cleanup", attemptId: 1, shell: "rm -rf /" }) },
    { name: "a cancel without why", line: JSON.stringify({ kind: "cancel", attemptId: 1 }) },
  ])("refuses $name and does nothing", async ({ line }) => {
    const home = tempHome();
    const seen: SocketRequest[] = [];
    await listen(home, async (request) => void seen.push(request));
    const answer = await new Promise<string>((resolve) => {
      const connection = net.createConnection(controlSocketPath(home), () => connection.write(`${line}\n`));
      let text = "";
      connection.setEncoding("utf8");
      connection.on("data", (chunk: string) => (text += chunk));
      connection.on("close", () => resolve(text));
    });
    expect(JSON.parse(answer)).toEqual({ ok: false, error: "not a request orch knows" });
    expect(seen).toEqual([]);
  });

  it("tells the sender when the server failed to do it", async () => {
    const home = tempHome();
    await listen(home, async () => {
      throw new Error("git broke");
    });
    expect(await sendControlRequest(controlSocketPath(home), { kind: "cleanup", attemptId: 3 })).toEqual({
      kind: "failed",
      error: "the server could not do it; its log has the details",
    });
  });
});
