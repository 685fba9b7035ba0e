#!/usr/bin/env bash
# Set everything up (including what the tests compare against), then run the
# whole suite: type-check, the pure tests as an unprivileged user without
# libbpf, and vitest. Kernel tests run as root; in CI they must run, so a
# missing privilege fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
npm run --silent typecheck
mkdir -p test/.out
rc=0
# the pure tests first, as nobody on a host without libbpf (test:unit's promise)
echo "unit tests as an unprivileged user without libbpf:"
bash scripts/test-unit-unprivileged.sh || rc=1
npx vitest run --reporter=default --reporter=json --outputFile.json=test/.out/results.json || rc=$?
# one plain closing line for tools that read the summary, whatever the runner
node -e '
  const r = JSON.parse(require("fs").readFileSync("test/.out/results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || rc=1
exit $rc
