#!/usr/bin/env bash
# The whole suite: type checks, then vitest, ending with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent typecheck || exit 1
results="$(mktemp -t orch-vitest-XXXXXX.json)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" 2>/dev/null || echo "no test results (vitest exited with $status)"
rm -f "$results"
exit $status
