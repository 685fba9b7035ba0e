#!/usr/bin/env bash
# Two test hosts on this machine: network namespaces joined by a veth pair.
#   netns.sh up NAME     -> NAME-c (10.231.N.1, fd00:231:N::1) and NAME-s (10.231.N.2, fd00:231:N::2)
#                           prints: c s ip4-c ip4-s dev-c dev-s ip6-c ip6-s
#   netns.sh down NAME
# Traffic stays inside namespaces this script made; nothing is routed out.
set -euo pipefail
cmd=${1:?up or down}; name=${2:?name}
c="$name-c"; s="$name-s"
# a /24 per name, from its checksum, so parallel runs do not collide
n=$(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 200 + 20 ))
case "$cmd" in
  up)
    ip netns add "$c"; ip netns add "$s"
    ip link add "${name:0:10}c0" type veth peer name "${name:0:10}s0"
    ip link set "${name:0:10}c0" netns "$c"; ip link set "${name:0:10}s0" netns "$s"
    ip -n "$c" addr add "10.231.$n.1/24" dev "${name:0:10}c0"
    ip -n "$s" addr add "10.231.$n.2/24" dev "${name:0:10}s0"
    # nodad: usable at once, not after duplicate address detection's second or two
    ip -n "$c" -6 addr add "fd00:231:$n::1/64" dev "${name:0:10}c0" nodad
    ip -n "$s" -6 addr add "fd00:231:$n::2/64" dev "${name:0:10}s0" nodad
    for ns in "$c" "$s"; do ip -n "$ns" link set lo up; done
    ip -n "$c" link set "${name:0:10}c0" up; ip -n "$s" link set "${name:0:10}s0" up
    echo "$c $s 10.231.$n.1 10.231.$n.2 ${name:0:10}c0 ${name:0:10}s0 fd00:231:$n::1 fd00:231:$n::2"
    ;;
  down)
    ip netns del "$c" 2>/dev/null || true; ip netns del "$s" 2>/dev/null || true
    ;;
  *) echo "netns.sh: up or down" >&2; exit 2 ;;
esac
