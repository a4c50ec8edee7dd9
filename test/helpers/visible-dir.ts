/**
 * A folder for test layouts that orch's sandbox does not hide wholesale.
 *
 * Sandbox tests assert that the sandbox hides orch's own folders (its working
 * directory, ORCH_HOME, the database, the key file). Under /tmp, /home, /root
 * or /run those would be hidden anyway, and the tests would pass for the
 * wrong reason. So their layouts live here: ORCH_TEST_VISIBLE_DIR when set,
 * else `.orch/test-layouts` in this repository when that is outside the
 * hidden folders, else /var/lib/orch-tests (CI runs as root).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HIDDEN_WHOLESALE = ["/tmp", "/var/tmp", "/home", "/root", "/run"];
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function isHiddenWholesale(dir: string): boolean {
  return HIDDEN_WHOLESALE.some((hidden) => dir === hidden || dir.startsWith(`${hidden}/`));
}

/** Makes a fresh folder `<prefix>XXXXXX` in a visible place; the caller removes it. */
export function makeVisibleTempDir(prefix: string): string {
  const candidates = [
    process.env.ORCH_TEST_VISIBLE_DIR,
    path.join(REPO_ROOT, ".orch", "test-layouts"),
    "/var/lib/orch-tests",
  ].filter((dir): dir is string => Boolean(dir));
  for (const parent of candidates) {
    try {
      fs.mkdirSync(parent, { recursive: true });
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(parent, prefix)));
      if (!isHiddenWholesale(dir)) return dir;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // not writable here: try the next
    }
  }
  throw new Error(
    `no folder for sandbox test layouts outside ${HIDDEN_WHOLESALE.join(", ")} (tried ${candidates.join(", ")}); set ORCH_TEST_VISIBLE_DIR to a writable folder elsewhere`,
  );
}
