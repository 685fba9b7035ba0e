#!/usr/bin/env bash
# Set everything up, then run the demo app for a few seconds while this
# script execs a few commands for it to see.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/lcc.js build examples/execsnoop/execsnoop.bpf.c -o dist/examples/execsnoop/execsnoop.bpf.o >/dev/null
( for i in 1 2 3 4; do sleep 1; ls / >/dev/null; uname -r >/dev/null; done ) &
node dist/examples/execsnoop/main.js --duration "${DEMO_SECONDS:-5}"
wait
