import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { SECRET_SHAPE_RULE_IDS } from "./find-secret-shapes.js";
import { KNOWN_VALUE_RULE, POSSIBLE_SECRET_RULE, Redactor } from "./redactor.js";

// Every secret-shaped value is assembled at run time, so that this file holds
// none: GitHub's push protection and any secret scanner run over the
// repository would otherwise (rightly) stop it.
const ALNUM_36 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
const githubToken = (prefix: string) => `${prefix}_${ALNUM_36}`;
const FINE_GRAINED_PAT = ["github", "pat", `11ABCDEFG0123456789abc_${"Zq9".repeat(19)}xy`].join("_");
const ANTHROPIC_KEY = ["sk", "ant", "api03", `${"Ab3_".repeat(23)}QAA`].join("-");
const OPENAI_KEY = ["sk", "proj", `${"aB3-".repeat(18)}xY${["T3Blbk", "FJ"].join("")}${"cD4_".repeat(18)}zW`].join("-");
const AWS_SECRET = ["kWcrlUX5JEDGM", "LtmEENI", "aVmYvHNif5zB+d9+ctQ12"].join("/").slice(0, 40);
const AWS_ACCESS_KEY_ID = ["AK", "IA", "Z7QW4RT2YU8IOP3L"].join("");
const SLACK_TOKEN = ["xo", "xb-123456789012-1234567890123-", "aBcDeFgHiJkLmNoPqRsTuVwX"].join("");
const GOOGLE_API_KEY = ["AI", "za", "SyD4r2k9QxVb7Lm0Np3Zs8Tc1Wf6Hg5Jk2E"].join("");
const AGENT_API_KEY = "agent-key-7f3c9a1e5b2d8064";
const WEBHOOK_SECRET = 'wh"sec\\ret-5b2d8064';

const pem = (type: "rsa" | "ec" | "ed25519", encoding: "pkcs1" | "pkcs8" | "sec1", options: object = {}) =>
  crypto.generateKeyPairSync(type as "rsa", {
    modulusLength: 2048,
    namedCurve: "P-256",
    ...options,
    privateKeyEncoding: { type: encoding as "pkcs1", format: "pem", ...options },
    publicKeyEncoding: { type: "spki", format: "pem" },
  } as crypto.RSAKeyPairOptions<"pem", "pem">);

const RSA_PKCS1 = pem("rsa", "pkcs1");
const RSA_PKCS8 = pem("rsa", "pkcs8");
const EC_SEC1 = pem("ec", "sec1");
const ED25519_PKCS8 = pem("ed25519", "pkcs8");
const RSA_ENCRYPTED_PKCS8 = pem("rsa", "pkcs8", { cipher: "aes-256-cbc", passphrase: "correct horse" });
const RSA_ENCRYPTED_LEGACY = pem("rsa", "pkcs1", { cipher: "aes-256-cbc", passphrase: "correct horse" });
/** orch's own key, given to the redactor as a known value. */
const ORCH_KEY = pem("rsa", "pkcs8").privateKey;

/** A real OpenSSH private key (openssh-key-v1, unencrypted Ed25519); Node cannot write this format itself. */
function buildOpenSshKey(): string {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url");
  const priv = Buffer.from(privateKey.export({ format: "jwk" }).d ?? "", "base64url");
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const str = (value: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(value)), Buffer.from(value)]);
  const check = crypto.randomBytes(4);
  const keys = Buffer.concat([check, check, str("ssh-ed25519"), str(pub), str(Buffer.concat([priv, pub])), str("test")]);
  const padding = Buffer.from(Array.from({ length: (8 - (keys.length % 8)) % 8 }, (_, i) => i + 1));
  const blob = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    str("none"),
    str("none"),
    str(""),
    u32(1),
    str(Buffer.concat([str("ssh-ed25519"), str(pub)])),
    str(Buffer.concat([keys, padding])),
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) ?? [];
  return ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n");
}

const basicAuth = (token: string) => Buffer.from(`x-access-token:${token}`).toString("base64");
const INSTALLATION_TOKEN = githubToken("ghs").replace("A1b2", "Zz99");

function newRedactor(): Redactor {
  const redactor = new Redactor({ known: [AGENT_API_KEY, WEBHOOK_SECRET, ORCH_KEY] });
  redactor.addKnown(INSTALLATION_TOKEN);
  return redactor;
}

describe("Redactor.redact hides", () => {
  const orchKeyLines = ORCH_KEY.split("\n");
  it.each([
    ...["ghp", "gho", "ghu", "ghs", "ghr"].map((prefix) => ({
      name: `a GitHub ${prefix}_ token`,
      text: `export GITHUB_TOKEN=${githubToken(prefix)} # rotate monthly`,
      expected: "export GITHUB_TOKEN=[redacted] # rotate monthly",
      rule: "GitHub token",
    })),
    {
      name: "a fine-grained GitHub token (github_pat_)",
      text: `token: ${FINE_GRAINED_PAT}\nnext line`,
      expected: "token: [redacted]\nnext line",
      rule: "GitHub token",
    },
    ...[
      { label: "RSA (PKCS#1)", key: RSA_PKCS1.privateKey },
      { label: "RSA (PKCS#8)", key: RSA_PKCS8.privateKey },
      { label: "OpenSSH", key: buildOpenSshKey() },
      // Found by orch's supplement rule, not by secretlint's (see pem-private-key-rule.ts).
      { label: "EC P-256 (SEC1)", key: EC_SEC1.privateKey },
      { label: "Ed25519 (PKCS#8)", key: ED25519_PKCS8.privateKey },
      { label: "encrypted (PKCS#8)", key: RSA_ENCRYPTED_PKCS8.privateKey },
      { label: "encrypted (legacy Proc-Type header)", key: RSA_ENCRYPTED_LEGACY.privateKey },
    ].map(({ label, key }) => ({
      name: `a PEM private key, ${label}`,
      text: `Here is the key:\n${key.trimEnd()}\nThanks!`,
      expected: "Here is the key:\n[redacted]\nThanks!",
      rule: "private key",
    })),
    {
      name: "a private key inside a service-account JSON string",
      text: JSON.stringify({ type: "service_account", private_key: RSA_PKCS8.privateKey, client_email: "a@b.iam" }),
      expected: '{"type":"service_account","private_key":"[redacted]\\n","client_email":"a@b.iam"}',
      rule: "private key",
    },
    {
      name: "an Anthropic API key",
      text: `ANTHROPIC_API_KEY="${ANTHROPIC_KEY}"`,
      expected: 'ANTHROPIC_API_KEY="[redacted]"',
      rule: "Anthropic API key",
    },
    {
      name: "an OpenAI API key",
      text: `client = OpenAI(api_key="${OPENAI_KEY}")`,
      expected: 'client = OpenAI(api_key="[redacted]")',
      rule: "OpenAI API key",
    },
    {
      // secretlint reports this range wrongly (the name plus the key's first characters); orch corrects it.
      name: "an AWS secret access key, all 40 characters",
      text: `[default]\naws_secret_access_key = ${AWS_SECRET}\nregion = eu-west-1`,
      expected: "[default]\naws_secret_access_key = [redacted]\nregion = eu-west-1",
      rule: "AWS secret access key",
    },
    {
      name: "a quoted AWS secret access key",
      text: `AWS_SECRET_ACCESS_KEY: "${AWS_SECRET}",`,
      expected: 'AWS_SECRET_ACCESS_KEY: "[redacted]",',
      rule: "AWS secret access key",
    },
    {
      name: "a Slack token",
      text: `slack: ${SLACK_TOKEN} (bot)`,
      expected: "slack: [redacted] (bot)",
      rule: "Slack token",
    },
    {
      name: "a Google API key",
      text: `https://maps.googleapis.com/maps/api/js?key=${GOOGLE_API_KEY}&v=3`,
      expected: "https://maps.googleapis.com/maps/api/js?key=[redacted]&v=3",
      rule: "Google API key",
    },
    {
      name: "a PostgreSQL URL with a password",
      text: "DATABASE_URL=postgres://orch:s3cr3tPa55@db.internal/orch done",
      expected: "DATABASE_URL=[redacted] done",
      rule: "database URL with a password",
    },
    {
      name: "credentials in an https URL",
      text: "git clone https://deploy:hunter2x@git.acme.io/widgets.git",
      expected: "git clone [redacted]/widgets.git",
      rule: "password in a URL",
    },
    {
      name: "a known value (an agent's API key)",
      text: `the key is ${AGENT_API_KEY}.`,
      expected: "the key is [redacted].",
      rule: KNOWN_VALUE_RULE,
    },
    {
      name: "the Basic-auth header form of the installation token",
      text: `> Authorization: basic ${basicAuth(INSTALLATION_TOKEN)}\n`,
      expected: "> Authorization: basic [redacted]\n",
      rule: KNOWN_VALUE_RULE,
    },
    {
      name: "a known value as it reads inside JSON",
      text: JSON.stringify({ secret: WEBHOOK_SECRET }),
      expected: '{"secret":"[redacted]"}',
      rule: KNOWN_VALUE_RULE,
    },
    {
      name: "the first body line of the known private key, alone",
      text: `tail: ${orchKeyLines[1]} ...`,
      expected: "tail: [redacted] ...",
      rule: KNOWN_VALUE_RULE,
    },
    {
      name: "a middle line of the known private key, alone",
      text: `> ${orchKeyLines[10]}\n> more`,
      expected: "> [redacted]\n> more",
      rule: KNOWN_VALUE_RULE,
    },
  ])("$name", async ({ text, expected, rule }) => {
    const redactor = newRedactor();

    expect(await redactor.redact(text)).toBe(expected);
    expect((await redactor.findSecrets(text)).map((range) => range.rule)).toEqual([rule]);
  });

  it("every line of a known private key quoted line by line", async () => {
    const quoted = ORCH_KEY.trimEnd()
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n");

    const out = await newRedactor().redact(quoted);

    for (const line of ORCH_KEY.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"))) {
      expect(out).not.toContain(line);
    }
    expect(out).toContain("> -----BEGIN PRIVATE KEY-----");
  });

  it("a secret that appears twice, both times", async () => {
    const token = githubToken("ghp");
    expect(await newRedactor().redact(`${token} and again ${token}!`)).toBe("[redacted] and again [redacted]!");
  });

  it("overlapping finds as one [redacted]", async () => {
    const token = githubToken("ghp");
    // A known value that starts inside the token and runs past it.
    const redactor = new Redactor({ known: [`${token.slice(20)} trailing`] });

    expect(await redactor.redact(`x ${token} trailing y`)).toBe("x [redacted] y");
    expect(await redactor.findSecrets(`x ${token} trailing y`)).toEqual([{ start: 2, end: 51, rule: "GitHub token" }]);
  });

  it("known values that overlap each other, whole", async () => {
    const redactor = new Redactor({ known: ["abcdefgh12", "fgh12345xyz"] });
    expect(redactor.redactKnown("<abcdefgh12345xyz>")).toBe("<[redacted]>");
  });

  it("a secret after a secretlint-disable comment (that rule is left out)", async () => {
    const text = `// secretlint-disable\nconst token = "${githubToken("ghp")}";`;

    expect(await new Redactor().redact(text)).toBe('// secretlint-disable\nconst token = "[redacted]";');
    expect(SECRET_SHAPE_RULE_IDS).not.toContain("@secretlint/secretlint-rule-filter-comments");
  });
});

describe("Redactor.redact leaves unchanged", () => {
  it.each([
    { name: "the word token", text: "Set the token in your settings; the token must be fresh." },
    { name: "ghp_ alone", text: "classic tokens start with ghp_ and fine-grained ones with github_pat_" },
    { name: "ghp_ too short", text: "ghp_abc123 is not a token" },
    { name: "ghp_ one character short", text: `x ${githubToken("ghp").slice(0, -1)} y` },
    { name: "a git sha", text: "fixed in 3f786850e387550fdab836ed7e6dc881de23001b (see #12)" },
    { name: "a UUID", text: "request id 123e4567-e89b-12d3-a456-426614174000" },
    {
      name: "base64 of ordinary text",
      text: Buffer.from("The quick brown fox jumps over the lazy dog, twice over.").toString("base64"),
    },
    { name: "a GitHub URL", text: "see https://github.com/acme/widgets/pull/12" },
    { name: "a public key block", text: RSA_PKCS8.publicKey },
    {
      name: "a certificate block (a DER body under CERTIFICATE armour)",
      text: RSA_PKCS8.publicKey.replace(/PUBLIC KEY/g, "CERTIFICATE"),
    },
    {
      name: "a private key placeholder in docs",
      text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----",
    },
    { name: "sk- followed by a short word", text: "pip install sk-learn; sk-test passes" },
    {
      // secretlint allows AWS's documented example pair on purpose.
      name: "AWS's documented example keys",
      text: "AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    {
      // An access key ID is an identifier, useless without its secret; secretlint scans IDs only with
      // enableIDScanRule, which would also fail every diff that sets an `account_id`.
      name: "an AWS access key ID without its secret",
      text: `aws_access_key_id = ${AWS_ACCESS_KEY_ID}`,
    },
    {
      // secretlint takes a password shorter than 4 characters for a placeholder.
      name: "a database URL with a one-letter password",
      text: "postgres://u:p@h/db",
    },
    { name: "a database URL with a placeholder password", text: "postgres://user:password@localhost:5432/app" },
    { name: "a database URL without a password", text: "postgresql://orch@db.internal/orch" },
    { name: "an email address", text: "mail jane.doe+orch@example.com" },
    {
      name: "a markdown table",
      text: "| task | status | time |\n| --- | --- | --- |\n| t1 | succeeded | 1m 2s |\n| t2 | failed | 12s |",
    },
    { name: "an empty string", text: "" },
  ])("$name", async ({ text }) => {
    const redactor = newRedactor();

    expect(await redactor.redact(text)).toBe(text);
    expect(await redactor.findSecrets(text)).toEqual([]);
  });

  it("short known values such as 1 and true", async () => {
    const redactor = new Redactor({ known: ["1", "true", "debug", "1234567"] });
    const text = "CI=1 FORCE_COLOR=true LOG=debug PIN=1234567; 1 true";

    expect(redactor.knownCount).toBe(0);
    expect(await redactor.redact(text)).toBe(text);
  });
});

describe("Redactor on large input", () => {
  it("redacts a 5 MB text", async () => {
    const token = githubToken("ghp");
    const chunk = "lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789\n";
    const filler = chunk.repeat(Math.ceil((2.5 * 1024 * 1024) / chunk.length));
    const text = `${filler}${token}\n${filler}${AGENT_API_KEY}`;
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);

    const out = await newRedactor().redact(text);

    expect(out).toBe(`${filler}[redacted]\n${filler}[redacted]`);
  });
});

describe("Redactor.redactKnown", () => {
  it("is synchronous and hides known values only", () => {
    const shape = githubToken("ghp");
    const line = JSON.stringify({ msg: `pushing with ${INSTALLATION_TOKEN}`, key: AGENT_API_KEY, other: shape });

    const out = newRedactor().redactKnown(line);

    expect(typeof out).toBe("string");
    // Shapes need the asynchronous scan; orch's own log lines hold only what orch put there.
    expect(out).toBe(JSON.stringify({ msg: "pushing with [redacted]", key: "[redacted]", other: shape }));
  });

  it("hides a known private key inside a JSON log line", () => {
    const line = JSON.stringify({ level: 50, err: { message: `bad key ${ORCH_KEY}` } });

    const out = newRedactor().redactKnown(line);

    expect(out).toBe(JSON.stringify({ level: 50, err: { message: "bad key [redacted]" } }));
  });
});

describe("Redactor.redactDeep", () => {
  it("redacts every string in nested data and leaves the input alone", async () => {
    const token = githubToken("gho");
    const date = new Date(0);
    const input = {
      title: "Fix login",
      body: `uses ${token}`,
      count: 3,
      draft: false,
      missing: null,
      when: date,
      labels: ["bug", `key ${AGENT_API_KEY}`, 7],
      nested: { deeper: [{ text: `basic ${basicAuth(INSTALLATION_TOKEN)}` }] },
    };
    const before = structuredClone(input);

    const out = await newRedactor().redactDeep(input);

    expect(out).toEqual({
      title: "Fix login",
      body: "uses [redacted]",
      count: 3,
      draft: false,
      missing: null,
      when: date,
      labels: ["bug", "key [redacted]", 7],
      nested: { deeper: [{ text: "basic [redacted]" }] },
    });
    expect(out.when).toBe(date);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
  });

  it.each([
    { name: "a string", value: `t ${AGENT_API_KEY}`, expected: "t [redacted]" },
    { name: "a number", value: 42, expected: 42 },
    { name: "undefined", value: undefined, expected: undefined },
    { name: "an array of strings", value: [AGENT_API_KEY, "ok"], expected: ["[redacted]", "ok"] },
  ])("handles $name at the top", async ({ value, expected }) => {
    expect(await newRedactor().redactDeep(value)).toEqual(expected);
  });

  it("survives a circular reference", async () => {
    const input: { text: string; self?: unknown } = { text: AGENT_API_KEY };
    input.self = input;

    const out = await newRedactor().redactDeep(input);

    expect(out.text).toBe("[redacted]");
    expect(out.self).toBe(out);
  });
});

describe("Redactor.addKnown", () => {
  it("keeps at most maxAdded runtime values, dropping the oldest, never the ones given at construction", () => {
    const fixed = "fixed-secret-0001";
    const redactor = new Redactor({ known: [fixed], maxAdded: 3 });
    const tokens = [1, 2, 3, 4, 5].map((n) => `runtime-token-000${n}`);

    for (const token of tokens) redactor.addKnown(token);

    expect(redactor.knownCount).toBe(4);
    expect(redactor.redactKnown([fixed, ...tokens].join(" "))).toBe(
      `[redacted] ${tokens[0]} ${tokens[1]} [redacted] [redacted] [redacted]`,
    );
  });

  it("counts a value added again as the newest", () => {
    const redactor = new Redactor({ maxAdded: 2 });
    redactor.addKnown("token-aaaa-0001");
    redactor.addKnown("token-bbbb-0002");
    redactor.addKnown("token-aaaa-0001");
    redactor.addKnown("token-cccc-0003");

    expect(redactor.redactKnown("token-aaaa-0001 token-bbbb-0002 token-cccc-0003")).toBe(
      "[redacted] token-bbbb-0002 [redacted]",
    );
  });

  it("ignores a value shorter than 8 characters", () => {
    const redactor = new Redactor();
    redactor.addKnown("abc1234");
    expect(redactor.knownCount).toBe(0);
  });
});

describe("Redactor when the secret scanner fails", () => {
  const failing = () => {
    const errors: Error[] = [];
    const redactor = new Redactor({
      known: [AGENT_API_KEY],
      findShapes: async () => {
        throw new Error("the secret scanner failed (TypeError)");
      },
      onScanError: (error) => errors.push(error),
    });
    return { redactor, errors };
  };

  it("still hides known values and anything token-like, and says so", async () => {
    const { redactor, errors } = failing();
    const text = [
      `key ${AGENT_API_KEY}`,
      `token ${githubToken("ghp")}`,
      "url https://deploy:hunter2x@git.acme.io/x.git",
      RSA_PKCS1.privateKey.trimEnd(),
      "plain words stay",
    ].join("\n");

    const out = await redactor.redact(text);

    expect(out).toBe(
      ["key [redacted]", "token [redacted]", "url https://[redacted]git.acme.io/x.git", "[redacted]", "plain words stay"].join("\n"),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).not.toContain(AGENT_API_KEY);
  });

  it("makes findSecrets reject, so that a check fails closed", async () => {
    const { redactor } = failing();
    await expect(redactor.findSecrets("anything")).rejects.toThrow("the secret scanner failed");
  });

  it("does not throw when the error callback throws", async () => {
    const redactor = new Redactor({
      findShapes: async () => {
        throw new Error("boom");
      },
      onScanError: () => {
        throw new Error("logger down");
      },
    });
    expect(await redactor.redact(`x ${githubToken("ghp")}`)).toBe("x [redacted]");
  });

  it("names its fallback rule", async () => {
    const { redactor } = failing();
    expect(POSSIBLE_SECRET_RULE).toMatch(/scanner failed/);
    expect(await redactor.redact("short words only")).toBe("short words only");
  });
});

describe("secretlint's profiler", () => {
  it("leaves no performance marks behind, however many texts are scanned", async () => {
    const redactor = new Redactor();
    for (let i = 0; i < 50; i += 1) await redactor.redact(`line ${i} ${githubToken("ghp")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const marks = performance.getEntriesByType("mark").filter((entry) => entry.name.startsWith("@core>"));
    expect(marks).toEqual([]);
  });
});
