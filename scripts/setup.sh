#!/usr/bin/env bash
# Everything lcc needs on a fresh Debian machine, installed by the project
# itself: idempotent, and quiet when everything is already there.
#   scripts/setup.sh          runtime, build toolchain, npm deps, compiled TS
#   scripts/setup.sh --test   also BCC, its tools and the kernel headers it compiles against (tests
#                             run converted tools beside the originals), Prometheus (scrapes
#                             pingtrace --metrics) and Chromium (renders --report)
#   scripts/setup.sh --bench  also BCC tools and kernel headers (the benchmark baseline)
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=0
want_test=0
for a in "$@"; do
  case "$a" in
    --bench) want_bench=1 ;;
    --test) want_test=1 ;;
    *) echo "setup.sh: unknown option $a (use --test or --bench)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*" >&2; }
need_root() {
  if [ "$(id -u)" != 0 ]; then
    say "$1 needs root: run as root (eBPF needs it anyway)"
    exit 1
  fi
}

# --- Debian packages -----------------------------------------------------
pkgs=(libbpf1 libbpf-dev clang llvm bpftool bubblewrap iproute2 iputils-ping python3)
# the tests run converted BCC tools beside BCC's own, which compiles against the kernel's headers;
# both name libc's static functions in user stacks from libc6-dbg's debug file; losetup (mount) makes
# a disk only one test writes to; BCC's XDP and tc examples import pyroute2
headers=linux-headers-$(dpkg --print-architecture)
[ "$want_test" = 1 ] && pkgs+=(python3-bpfcc bpfcc-tools "$headers" libc6-dbg mount prometheus chromium python3-pyroute2)
[ "$want_bench" = 1 ] && pkgs+=(bpfcc-tools python3-bpfcc "$headers" libbpf-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  need_root "installing ${missing[*]}"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  plain=() lean=()
  for p in "${missing[@]}"; do
    case "$p" in chromium|prometheus) lean+=("$p") ;; *) plain+=("$p") ;; esac
  done
  if [ "${#plain[@]}" -gt 0 ]; then apt-get install -y -qq "${plain[@]}" >/dev/null; fi
  # without recommends: chromium's pull in a desktop's worth of packages
  if [ "${#lean[@]}" -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null; fi
fi

# BCC compiles against the running kernel's headers; modprobe is absent here,
# so point /lib/modules/$(uname -r) at the Debian headers by hand.
if [ "$want_bench" = 1 ] || [ "$want_test" = 1 ]; then
  mod=/lib/modules/$(uname -r)
  if [ ! -e "$mod/build/include" ]; then
    arch_dir=$(ls -d /usr/src/linux-headers-*-"$(dpkg --print-architecture)" 2>/dev/null | sort -V | tail -1)
    common_dir=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -1)
    if [ -n "$arch_dir" ] && [ -n "$common_dir" ]; then
      mkdir -p "$mod"
      ln -sfn "$arch_dir" "$mod/build"
      ln -sfn "$common_dir" "$mod/source"
    else
      say "no linux-headers-*-$(dpkg --print-architecture) under /usr/src: BCC will not compile its tools"
    fi
  fi
fi

# --- filesystems BPF tools use -------------------------------------------
mountpoint -q /sys/fs/bpf 2>/dev/null || { need_root "mounting bpffs"; mount -t bpf bpf /sys/fs/bpf; }
mountpoint -q /sys/kernel/tracing 2>/dev/null || { need_root "mounting tracefs"; mount -t tracefs tracefs /sys/kernel/tracing; }

# --- npm dependencies and the compiled CLI --------------------------------
stamp=node_modules/.lcc-install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  say "installing npm dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch "$stamp"
fi
npm run --silent build >&2
