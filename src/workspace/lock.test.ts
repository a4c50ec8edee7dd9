import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./lock.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("KeyedMutex", () => {
  it("runs calls for one key one at a time, in arrival order", async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(["a", "b", "c"].map((name) => mutex.run("k", task(name))));
    expect(results).toEqual(["a", "b", "c"]);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("runs different keys in parallel", async () => {
    const mutex = new KeyedMutex();
    const gate = deferred();
    const started: string[] = [];
    const first = mutex.run("one", async () => {
      started.push("one");
      await gate.promise;
    });
    const second = mutex.run("two", async () => {
      started.push("two");
    });
    await second;
    expect(started).toEqual(["one", "two"]);
    gate.resolve();
    await first;
  });

  it("does not let a rejected call poison the key", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("k", async () => {
      throw new Error("boom");
    });
    const throwingSync = mutex.run("k", () => {
      throw new Error("sync boom");
    });
    const next = mutex.run("k", async () => "ok");
    await expect(failing).rejects.toThrow("boom");
    await expect(throwingSync).rejects.toThrow("sync boom");
    await expect(next).resolves.toBe("ok");
  });

  it("forgets a key once it is idle", async () => {
    const mutex = new KeyedMutex();
    const gate = deferred();
    const first = mutex.run("k", () => gate.promise);
    const second = mutex.run("k", async () => undefined);
    expect(mutex.isBusy("k")).toBe(true);
    gate.resolve();
    await Promise.all([first, second]);
    await new Promise((r) => setTimeout(r, 0));
    expect(mutex.isBusy("k")).toBe(false);
    expect(mutex.size).toBe(0);
  });
});
