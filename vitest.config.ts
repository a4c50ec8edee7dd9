import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The real agent CLIs and the browser have their own suites: npm run test:agents
    // (vitest.agents.config.ts) and npm run test:browser (vitest.browser.config.ts).
    exclude: ["test/agents/**", "test/browser/**", "**/node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
