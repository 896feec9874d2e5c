#!/usr/bin/env bash
# Network-namespace lab for the data-plane end-to-end test: an underlay bridge, N
# "hypervisor" host namespaces on it, and "VM" namespaces whose veth host end (tap +
# port id[:11], Neutron's naming) an agent plugs into its bridges. Everything is in
# namespaces named PREFIX-*, so the root namespace is never touched and `down PREFIX`
# removes a run's leftovers whatever state they are in. Needs root; prints nothing
# but errors, except `list` and `exec`.
set -euo pipefail

NSDIR=/var/run/netns   # where `ip netns add` names namespaces (iproute2's NETNS_RUN_DIR)

usage() {
  cat >&2 <<'EOF'
usage: netns.sh up PREFIX N
       netns.sh vm PREFIX HOSTIDX VMNAME MAC IP/PREFIXLEN PORTID
       netns.sh vm-del PREFIX VMNAME
       netns.sh vm-move PREFIX VMNAME NEWHOSTIDX PORTID
       netns.sh down PREFIX
       netns.sh list PREFIX
       netns.sh exec PREFIX NAME -- CMD...
EOF
  exit 2
}
die() { echo "netns.sh: $*" >&2; exit 1; }
ns_exists() { [ -e "$NSDIR/$1" ]; }

# A prefix with '-' would let `down a` match the namespaces of prefix `a-b`.
check_prefix() { [[ $1 =~ ^[A-Za-z0-9_.]+$ ]] || die "bad PREFIX '$1' (letters, digits, _ and . only)"; }
# VM names share the PREFIX- namespace space with the underlay and the hosts.
check_vmname() {
  [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "bad VMNAME '$1'"
  [[ ! $1 =~ ^(ul|h[0-9]+)$ ]] || die "VMNAME '$1' is reserved for the underlay/hosts"
}
check_host() {
  [[ $1 =~ ^[0-9]+$ ]] || die "bad host index '$1'"
  ns_exists "$PREFIX-h$1" || die "host namespace $PREFIX-h$1 does not exist"
}
tap_name() {
  [[ $1 =~ ^[A-Za-z0-9-]+$ ]] || die "bad PORTID '$1'"
  echo "tap${1:0:11}"   # 14 chars: fits IFNAMSIZ (15) like Neutron's tap names
}

# Deleting a namespace kills nothing, and a process left inside keeps it (and its
# veths) alive; `$!` of `ip netns exec` may be a shim, so ask the kernel for the PIDs.
# SIGKILL is asynchronous and a dying parent may have forked: repeat until empty.
kill_ns() {
  local pids=() _
  for _ in $(seq 50); do
    mapfile -t pids < <(ip netns pids "$1" 2>/dev/null || true)
    [ ${#pids[@]} -gt 0 ] || return 0
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.1
  done
  echo "netns.sh: processes still in $1: ${pids[*]}" >&2
}
del_ns() { kill_ns "$1"; ip netns del "$1" 2>/dev/null || true; }

# The namespaces of this prefix, whatever state a run left them in.
prefix_ns() { local f; for f in "$NSDIR/$PREFIX"-*; do [ ! -e "$f" ] || echo "${f##*/}"; done; }
cmd_down() { local ns; for ns in $(prefix_ns); do del_ns "$ns"; done; }

# veth pair created from inside the VM namespace with the peer born in the host
# namespace, so no interface ever appears in the root namespace (no name clashes
# between parallel runs, nothing to clean up there).
plug_vm() { # VMNS HOSTNS TAP MAC ADDR...
  local vmns=$1 hostns=$2 tap=$3 mac=$4 a
  shift 4
  ip -n "$vmns" link add eth0 address "$mac" mtu 1450 type veth peer name "$tap" mtu 1450 netns "$hostns"
  for a in "$@"; do ip -n "$vmns" addr add "$a" dev eth0; done
  ip -n "$vmns" link set eth0 up
  ip -n "$hostns" link set "$tap" up
}

cmd=${1:-}
[ $# -ge 2 ] || usage
PREFIX=$2
check_prefix "$PREFIX"
case $cmd in
  up)
    [ $# -eq 3 ] || usage; N=$3
    [[ $N =~ ^[1-9][0-9]*$ && $N -le 244 ]] || die "N must be 1..244 (hosts get 198.18.0.11..254)"
    ! ns_exists "$PREFIX-ul" || die "$PREFIX-ul already exists: run 'netns.sh down $PREFIX' first"
    trap 'cmd_down' EXIT   # half-built topology is removed on failure; cleared on success
    ip netns add "$PREFIX-ul"
    ip -n "$PREFIX-ul" link set lo up
    ip -n "$PREFIX-ul" link add br0 up type bridge
    for i in $(seq "$N"); do
      h=$PREFIX-h$i
      ip netns add "$h"
      ip -n "$h" link set lo up
      ip -n "$PREFIX-ul" link add "h$i" type veth peer name ul0 netns "$h"
      ip -n "$PREFIX-ul" link set "h$i" master br0 up
      ip -n "$h" link set ul0 mtu 1500 up
      ip -n "$h" addr add "198.18.0.$((10 + i))/24" dev ul0
      # br_netfilter's switches are per namespace: the agent's security-group rules
      # in this host only see bridged VM traffic if they are on here.
      for k in iptables ip6tables; do
        ip netns exec "$h" sh -c "f=/proc/sys/net/bridge/bridge-nf-call-$k; [ ! -e \$f ] || echo 1 > \$f"
      done
    done
    trap - EXIT
    ;;
  vm)
    [ $# -eq 7 ] || usage; check_host "$3"; check_vmname "$4"
    VMNS=$PREFIX-$4; TAP=$(tap_name "$7")
    ! ns_exists "$VMNS" || die "$VMNS already exists"
    trap 'del_ns "$VMNS"' EXIT   # deleting the VM namespace also removes a half-made veth
    ip netns add "$VMNS"
    ip -n "$VMNS" link set lo up
    plug_vm "$VMNS" "$PREFIX-h$3" "$TAP" "$5" "$6"
    trap - EXIT
    ;;
  vm-del)
    [ $# -eq 3 ] || usage; check_vmname "$3"
    ns_exists "$PREFIX-$3" || die "$PREFIX-$3 does not exist"
    del_ns "$PREFIX-$3"   # the veth goes with the namespace, its tap end included
    ;;
  vm-move)
    [ $# -eq 5 ] || usage; check_vmname "$3"; check_host "$4"
    VMNS=$PREFIX-$3; TAP=$(tap_name "$5")
    ns_exists "$VMNS" || die "$VMNS does not exist"
    # Read what must survive the move before the veth (and so eth0) disappears;
    # the VM's processes keep running, as in a live migration.
    LINK=$(ip -n "$VMNS" -o link show dev eth0)
    MAC=$(sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p' <<<"$LINK")
    OLD=$(sed -n 's/.* link-netns \([^ ]*\).*/\1/p' <<<"$LINK")   # host ns of the tap end
    mapfile -t ADDRS < <(ip -n "$VMNS" -o addr show dev eth0 scope global | awk '{print $4}')
    mapfile -t ROUTES < <(ip -n "$VMNS" route show dev eth0 | grep -v 'proto kernel' || true)
    # Port ids sharing their first 11 chars give equal tap names: refuse before
    # unplugging rather than leave the VM without eth0.
    if [ "$OLD" != "$PREFIX-h$4" ] && ip -n "$PREFIX-h$4" link show dev "$TAP" >/dev/null 2>&1; then
      die "$TAP already exists in $PREFIX-h$4"
    fi
    # The old tap is found through eth0's peer, not by name, since two hosts may
    # hold equal tap names; deleting either end of a veth removes both.
    ip -n "$VMNS" link del eth0
    plug_vm "$VMNS" "$PREFIX-h$4" "$TAP" "$MAC" "${ADDRS[@]}"
    for r in "${ROUTES[@]}"; do read -ra rt <<<"$r"; ip -n "$VMNS" route add "${rt[@]}" dev eth0; done
    ;;
  down) [ $# -eq 2 ] || usage; cmd_down ;;
  list)
    [ $# -eq 2 ] || usage
    for ns in $(prefix_ns); do
      echo "== $ns"
      case ${ns#"$PREFIX"-} in
        h[0-9]*)
          ip -n "$ns" -br link
          # Skip the multicast entries every port gets; keep MACs learnt and programmed.
          bridge -n "$ns" fdb show | grep -Ev '^(33:33|01:00:5e):' | sed 's/^/  fdb /' || true ;;
        ul) ip -n "$ns" -br link ;;
        *) ip -n "$ns" -br addr show dev eth0 2>/dev/null || echo "  (no eth0)" ;;
      esac
    done
    ;;
  exec)
    if [ $# -lt 5 ] || [ "$4" != "--" ]; then usage; fi
    NS=$PREFIX-$3
    ns_exists "$NS" || die "$NS does not exist"
    shift 4
    exec ip netns exec "$NS" "$@"
    ;;
  *) usage ;;
esac
