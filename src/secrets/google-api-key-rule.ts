/**
 * A secretlint rule for Google API keys (`AIza` + 35 characters), the one
 * cloud and model API key shape DESIGN.md names that secretlint's
 * recommended preset (11.7.1) does not find: its GCP rule only looks at
 * service-account JSON and .p12 files, never at a bare key in text. Gemini
 * and every Google Cloud API take these keys.
 *
 * Written as a secretlint rule, not a separate regex pass, so that it runs in
 * the same scan as the preset and reports ranges the same way.
 */
import type { SecretLintRuleCreator } from "@secretlint/types";

export const GOOGLE_API_KEY_RULE_ID = "orch/google-api-key";

const messages = {
  GOOGLE_API_KEY: {
    // Never the key: orch only reads rule and message ids, but a message is where a careless caller would look.
    en: () => "found a Google API key",
  },
};

// 39 characters in all; the look-arounds keep it from firing inside a longer token.
const GOOGLE_API_KEY_PATTERN = /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g;

export const googleApiKeyRule: SecretLintRuleCreator = {
  messages,
  meta: {
    id: GOOGLE_API_KEY_RULE_ID,
    recommended: true,
    type: "scanner",
    supportedContentTypes: ["text"],
  },
  create(context) {
    const t = context.createTranslator(messages);
    return {
      file(source) {
        for (const match of source.content.matchAll(GOOGLE_API_KEY_PATTERN)) {
          const start = match.index ?? 0;
          context.report({ message: t("GOOGLE_API_KEY"), range: [start, start + match[0].length] });
        }
      },
    };
  },
};
