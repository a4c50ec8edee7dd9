import { defineConfig } from "vitest/config";

/**
 * The attempt page in a real headless Chromium (test/browser/): Debian's
 * `chromium` (apt-get install chromium) driven by playwright-core, against
 * the real app as a child process. Kept out of the main suite: it needs the
 * browser, and a browser start costs seconds.
 *
 *     npm run test:browser
 *     SCREENSHOT_DIR=docs npm run test:browser    # refreshes docs/attempt-page.png
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
