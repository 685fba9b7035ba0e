#!/usr/bin/env bash
# The pure tests (npm run test:unit) as a user with no privileges on a host
# without libbpf: a copy of the checkout owned by nobody, libbpf hidden in a
# mount namespace of its own. Proves the toolchain and the pure parts of lbc
# never load libbpf or need root. Needs root to set that up.
set -euo pipefail
cd "$(dirname "$0")/.."
copy=$(mktemp -d /tmp/lcc-unit-XXXXXX)
trap 'rm -rf "$copy"' EXIT
tar --exclude=.git --exclude=test/.out -cf - . | tar -C "$copy" -xf -
chown -R 65534:65534 "$copy"
chmod 755 "$copy"
unshare -m bash -c '
  set -e
  for f in $(ldconfig -p | awk "/libbpf\.so/ { print \$NF }" | xargs -r readlink -f | sort -u); do mount --bind /dev/null "$f"; done
  if node -e "require(\"koffi\").load(\"libbpf.so.1\")" 2>/dev/null; then echo "libbpf still loads: cannot hide it" >&2; exit 1; fi
  cd "$1"
  exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all env HOME="$1" node_modules/.bin/vitest run --exclude "test/**/*.kernel.test.ts"
' _ "$copy"
