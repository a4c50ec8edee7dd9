/**
 * A secretlint rule for the PEM private key blocks that the recommended
 * preset's privatekey rule (11.7.1) lets through, measured here with keys
 * from `crypto.generateKeyPairSync`:
 *
 * - short keys: it wants at least 100 base64 characters starting with `MI`
 *   (a DER length of 128 bytes or more), so an Ed25519 or X25519 key in
 *   PKCS#8 (64 characters, `MC4C…`), an Ed448 key (`MEcC…`) and a P-256 key
 *   in SEC1 form (`-----BEGIN EC PRIVATE KEY-----`, `MHcC…`) pass unseen;
 * - encrypted keys: `ENCRYPTED PRIVATE KEY` is not among its labels, and the
 *   `Proc-Type:`/`DEK-Info:` header lines of a legacy encrypted key break its
 *   pattern;
 * - PGP private key blocks: its magic-byte check only knows DER and OpenSSH.
 *
 * DESIGN.md names PEM private keys without exceptions, so this rule finds
 * any complete `-----BEGIN … PRIVATE KEY-----` … `-----END …-----` block
 * whose body is real base64 of at least MIN_BODY_LENGTH characters, keeping
 * secretlint's guard against placeholders (`MIIE...`, `<your key here>`
 * fail the base64 check). A block cut off before its END line is not found
 * by shape; orch's own key is still hidden line by line as a known value.
 */
import type { SecretLintRuleCreator } from "@secretlint/types";

export const PEM_PRIVATE_KEY_RULE_ID = "orch/pem-private-key";

/** Shortest real key body: Ed25519 in PKCS#8 is 64 base64 characters. */
export const MIN_BODY_LENGTH = 40;
/** Longest body looked at: an RSA 16384-bit key is about 12,700 characters. */
const MAX_BLOCK_LENGTH = 20_000;

const messages = {
  PEM_PRIVATE_KEY: {
    en: () => "found a PEM private key block",
  },
};

const BEGIN_PATTERN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const END_MARKER = "-----END ";

export const pemPrivateKeyRule: SecretLintRuleCreator = {
  messages,
  meta: {
    id: PEM_PRIVATE_KEY_RULE_ID,
    recommended: true,
    type: "scanner",
    supportedContentTypes: ["text"],
  },
  create(context) {
    const t = context.createTranslator(messages);
    return {
      file(source) {
        for (const block of findPemPrivateKeyBlocks(source.content)) {
          context.report({ message: t("PEM_PRIVATE_KEY"), range: [block.start, block.end] });
        }
      },
    };
  },
};

/** The spans of complete PEM private key blocks with a plausible body (exported for tests). */
export function findPemPrivateKeyBlocks(text: string): { start: number; end: number }[] {
  const blocks: { start: number; end: number }[] = [];
  for (const begin of text.matchAll(BEGIN_PATTERN)) {
    const label = begin[1] ?? "";
    const bodyStart = begin.index + begin[0].length;
    // Search a window, not the rest of the text: many BEGIN lines without an END must not cost the text's length each.
    const window = text.slice(bodyStart, bodyStart + MAX_BLOCK_LENGTH + 100);
    const endAt = window.indexOf(END_MARKER);
    if (endAt === -1 || endAt > MAX_BLOCK_LENGTH) continue;
    const closeAt = window.indexOf("-----", endAt + END_MARKER.length);
    if (closeAt === -1) continue;
    if (!isPrivateKeyBody(label, window.slice(0, endAt))) continue;
    blocks.push({ start: begin.index, end: bodyStart + closeAt + "-----".length });
  }
  return blocks;
}

/**
 * True when `body` (the text between the armour lines) reads as key
 * material: header lines (`Proc-Type: …`) and a PGP checksum line (`=AbCd`)
 * aside, only base64, at least MIN_BODY_LENGTH long, and, unless encrypted
 * or PGP, starting like DER (`M`, a SEQUENCE) or an OpenSSH key.
 */
export function isPrivateKeyBody(label: string, body: string): boolean {
  // A key inside a JSON string has `\n` escapes for its line breaks.
  const lines = body.replace(/\\r|\\n/g, "\n").split(/\r?\n/).map((line) => line.trim());
  const headers = lines.filter((line) => /^[A-Za-z][A-Za-z0-9-]*:/.test(line));
  const base64 = lines
    .filter((line) => line !== "" && !headers.includes(line) && !/^=[A-Za-z0-9+/]{4}$/.test(line))
    .join("");
  if (base64.length < MIN_BODY_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return false;
  const isOpaque = label.includes("PGP") || headers.some((line) => /^Proc-Type:.*ENCRYPTED/i.test(line));
  return isOpaque || base64.startsWith("M") || base64.startsWith("b3BlbnNzaC1rZXktdjE");
}
