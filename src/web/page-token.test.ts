import crypto from "node:crypto";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { buildAttemptPageUrl, derivePageSecret, isAttemptToken, signAttemptToken } from "./page-token.js";

const pem = fs.readFileSync(new URL("../../test/fixtures/mock-cert.pem", import.meta.url), "utf8");
const secret = derivePageSecret({ pageSecret: "a".repeat(40) })!;

describe("page tokens", () => {
  it("accepts the attempt's own token and nothing else", () => {
    const token = signAttemptToken(secret, 7);
    expect(isAttemptToken(secret, 7, token)).toBe(true);
    expect(isAttemptToken(secret, 8, token)).toBe(false);
    expect(isAttemptToken(derivePageSecret({ pageSecret: "b".repeat(40) })!, 7, token)).toBe(false);
  });

  it.each([
    { name: "missing", token: null },
    { name: "empty", token: "" },
    { name: "one character changed", token: `${signAttemptToken(secret, 7).slice(0, -1)}A` },
    { name: "truncated", token: signAttemptToken(secret, 7).slice(0, 20) },
    { name: "with more after it", token: `${signAttemptToken(secret, 7)}x` },
    { name: "the attempt id", token: "7" },
  ])("refuses a token that is $name", ({ token }) => {
    expect(isAttemptToken(secret, 7, token)).toBe(false);
  });

  it("derives the same secret from the key however it is written, and a different one from another key", () => {
    const fromPem = derivePageSecret({ privateKey: pem })!;
    expect(derivePageSecret({ privateKey: `${pem}\n\n` })).toEqual(fromPem);
    const pkcs8 = crypto.createPrivateKey(pem).export({ type: "pkcs8", format: "pem" }).toString();
    expect(derivePageSecret({ privateKey: pkcs8 })).toEqual(fromPem);
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect(derivePageSecret({ privateKey: other })).not.toEqual(fromPem);
    // The key itself never signs: the derived secret is not a hash of the key text.
    expect(fromPem.toString("hex")).not.toContain(crypto.createHash("sha256").update(pem).digest("hex"));
    expect(derivePageSecret({})).toBeUndefined();
  });

  it("builds the page URL from the public URL", () => {
    expect(buildAttemptPageUrl({ publicUrl: "https://orch.example.com/tools", secret, attemptId: 12 })).toBe(
      `https://orch.example.com/tools/attempts/12?token=${signAttemptToken(secret, 12)}`,
    );
  });
});
