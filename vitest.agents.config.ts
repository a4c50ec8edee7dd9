import { defineConfig } from "vitest/config";

/**
 * The real agent CLIs (test/agents/) against scripted fake models: slow (each
 * run starts a CLI, some in orch's sandbox and pipeline), so kept out of the
 * main suite and run one file at a time.
 *
 *     npm run test:agents                      # all of them
 *     npm run test:agents -- test/agents/gemini.test.ts
 */
export default defineConfig({
  test: {
    include: ["test/agents/**/*.test.ts"],
    // A first run installs the CLIs from npm (install-clis.ts) in a beforeAll.
    hookTimeout: 15 * 60_000,
    testTimeout: 5 * 60_000,
    fileParallelism: false,
  },
});
