#!/usr/bin/env bash
# Set everything up, then run pingtrace for real: a server in one network
# namespace, the client in another, ten probes, the stage diagram at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
name="lccdemo$$"
trap 'kill "${server:-0}" 2>/dev/null || true; bash examples/pingtrace/netns.sh down "$name"' EXIT
read -r c s cip sip _ _ < <(bash examples/pingtrace/netns.sh up "$name")
echo "demo: client namespace $c ($cip) -> server namespace $s ($sip)"
ip netns exec "$s" node examples/pingtrace/bin/pingtrace.js --server -w 30 &
server=$!
sleep 1.5
ip netns exec "$c" node examples/pingtrace/bin/pingtrace.js "$sip" -c "${DEMO_COUNT:-10}" -i 0.2
