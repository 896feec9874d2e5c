#!/usr/bin/env bash
# Tempest's network API tests against the control plane, as a real cloud would be tested:
# a Keystone on loopback (scripts/keystone/start.sh), the control plane in Keystone mode on
# loopback (embedded, fresh data directory), a tempest.conf written for both, then `tempest run`.
#
# Usage: scripts/tempest/run.sh [--regex R] [--list FILE] [--concurrency N] [--results FILE] [--keep]
#   --regex R        run the tests matching R (default: the selection in scripts/tempest/selected.txt)
#   --list FILE      run the tests listed in FILE (one regex per line; # comments)
#   --concurrency N  tempest workers (default 2)
#   --results FILE   write every test's outcome (passed/failed/skipped, with the reason) and the totals as JSON
#   --keep           keep the workspace, Keystone and control plane directories for a look afterwards
#
# Two hosts' agents report and keep heartbeating through the agent API for the whole run, as a cloud's
# would: an Open vSwitch agent and a DHCP agent each (reported here), and the reference L3 agent (npm run l3-agent), which
# follows its host's L3 document and reports the ports of the routers it runs up, as Neutron's agents do
# once a router's devices exist (it programs no kernel). The agent and L3 scheduler tests need agents to
# list; router interface status needs a host that brings the port up.
#
# Needs: apt-get install keystone tempest neutron-tempest-plugin python3-openstackclient; npm run build.
# Prints Tempest's summary; the exit status is Tempest's (0: every selected test passed or was skipped).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
log() { printf 'tempest/run: %s\n' "$*" >&2; }

regex=""
list="$here/selected.txt"
concurrency=2
keep=0
results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) regex=$2; list=""; shift 2 ;;
    --list) list=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --results) results=$(realpath -m "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v tempest >/dev/null || { echo "tempest not found: apt-get install tempest neutron-tempest-plugin" >&2; exit 2; }
[ -f "$root/dist/apps/api/src/main.js" ] || (cd "$root" && npm run build --silent)

work=$(mktemp -d "${TMPDIR:-/tmp}/controlplane-tempest.XXXXXX")
cp_pid=""
ks_pid=""
agents_pid=""
agent_pids=()
cleanup() {
  [ -n "$agents_pid" ] && kill "$agents_pid" 2>/dev/null || true
  for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$cp_pid" ] && kill "$cp_pid" 2>/dev/null || true
  [ -n "$ks_pid" ] && kill "$ks_pid" 2>/dev/null || true
  if [ "$keep" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

eval "$(KEYSTONE_OWNER_PID=$$ "$root/scripts/keystone/start.sh" --data-dir "$work/keystone")"
ks_pid=$KEYSTONE_PID
export OS_AUTH_URL=$KEYSTONE_URL OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD=$KEYSTONE_ADMIN_PASSWORD \
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne OS_CLOUD=""
openstack project create --domain default service >/dev/null
openstack role create service >/dev/null
openstack user create --domain default --project service --password neutron-pw neutron >/dev/null
openstack role add --project service --user neutron service

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CP_HOST=127.0.0.1 CP_PORT=$port CP_DATA_DIR="$work/data" CP_SQLITE_SYNCHRONOUS=NORMAL CP_LOG_LEVEL=warn \
  CP_AUTH_STRATEGY=keystone CP_KEYSTONE_URL=$KEYSTONE_URL CP_KEYSTONE_PASSWORD=neutron-pw \
  node "$root/dist/apps/api/src/main.js" >"$work/control-plane.log" 2>&1 &
cp_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  kill -0 "$cp_pid" 2>/dev/null || { cat "$work/control-plane.log" >&2; exit 1; }
  sleep 0.2
done
endpoint=http://127.0.0.1:$port
openstack service create --name neutron network >/dev/null
for iface in public internal admin; do openstack endpoint create --region RegionOne network "$iface" "$endpoint" >/dev/null; done
log "Keystone $KEYSTONE_URL, control plane $endpoint"

# The external network Tempest's router and floating IP tests attach to.
public=$(openstack network create --external -f value -c id public)
openstack subnet create --network public --subnet-range 172.24.4.0/24 --no-dhcp public-subnet >/dev/null
token=$(openstack token issue -f value -c id)
extensions=$(curl -s -H "X-Auth-Token: $token" "$endpoint/v2.0/extensions" |
  python3 -c 'import json,sys; print(",".join(e["alias"] for e in json.load(sys.stdin)["extensions"]))')

# The agents' reports: register now, then a heartbeat every 20 s (agents are dead after 75 s without one),
# each round with a fresh token (Keystone's last an hour; a longer run must not lose its agents). The
# L3 agents read the same token file on every call.
report_agents() {
  local token
  token=$(openstack token issue -f value -c id) || return 1
  printf '%s\n' "$token" >"$work/agent-token.new" && mv "$work/agent-token.new" "$work/agent-token"
  for host in tempest-net-1 tempest-net-2; do
    n=${host##*-}
    curl -sf -X PUT -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
      -d "{\"tunnel_ip\": \"198.18.0.$n\"}" "$endpoint/v1/agents/Open%20vSwitch%20agent/$host" >/dev/null
  done
}
report_agents
(while sleep 20; do report_agents || true; done) &
agents_pid=$!
for host in tempest-net-1 tempest-net-2; do
  node "$root/dist/apps/l3-scheduler/src/agent/cli.js" --server "$endpoint" --host "$host" --heartbeat 20 \
    --token-file "$work/agent-token" 2>>"$work/l3-agents.log" &
  agent_pids+=($!)
  # The reference DHCP agent writes each served network's dnsmasq files under the workspace.
  node "$root/dist/apps/dhcp-projector/src/agent/cli.js" --server "$endpoint" --host "$host" --heartbeat 20 \
    --state-dir "$work/dhcp-$host" --token-file "$work/agent-token" 2>>"$work/dhcp-agents.log" &
  agent_pids+=($!)
done
# Tempest's agent tests look for agents at class setup: wait until both of each kind registered.
count_agents() {
  curl -s -H "X-Auth-Token: $(cat "$work/agent-token")" "$endpoint/v2.0/agents?agent_type=$1" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["agents"]))' 2>/dev/null || echo 0
}
for _ in $(seq 1 60); do
  [ "$(count_agents L3%20agent)" = 2 ] && [ "$(count_agents DHCP%20agent)" = 2 ] && break
  sleep 0.5
done
[ "$(count_agents L3%20agent)" = 2 ] || { log "the reference L3 agents did not register: $(cat "$work/l3-agents.log")"; exit 1; }
[ "$(count_agents DHCP%20agent)" = 2 ] || { log "the reference DHCP agents did not register: $(cat "$work/dhcp-agents.log")"; exit 1; }

cd "$work"
# A workspace registry of its own: the user's ~/.tempest/workspace.yaml is not touched, and names never clash.
tempest init --workspace-path "$work/workspaces.yaml" --name "controlplane-$$" ws >/dev/null
cat >"$work/ws/etc/tempest.conf" <<CONF
[DEFAULT]
log_dir = $work/ws/logs
[auth]
admin_username = admin
admin_password = $KEYSTONE_ADMIN_PASSWORD
admin_project_name = admin
admin_domain_name = Default
use_dynamic_credentials = true
create_isolated_networks = false
[identity]
uri_v3 = $KEYSTONE_URL
auth_version = v3
region = RegionOne
[identity-feature-enabled]
api_v2 = false
[network]
public_network_id = $public
project_network_cidr = 10.100.0.0/16
[network-feature-enabled]
api_extensions = $extensions
ipv6 = true
ipv6_subnet_attributes = true
[neutron_plugin_options]
available_type_drivers = vxlan,vlan,flat
provider_vlans = physnet1
[service_available]
neutron = true
nova = false
glance = false
cinder = false
swift = false
[validation]
run_validation = false
CONF

cd "$work/ws"
args=(--concurrency "$concurrency")
if [ -n "$regex" ]; then
  args+=(--regex "$regex")
else
  grep -vE '^\s*(#|$)' "$list" >"$work/include.txt"
  args+=(--include-list "$work/include.txt")
fi
# The exclusions hold for any selection: what is out of scope stays out.
grep -vE '^\s*(#|$)' "$here/excluded.txt" | sed 's/\s*#.*//' >"$work/exclude.txt"
args+=(--exclude-list "$work/exclude.txt")
status=0
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" tempest run "${args[@]}" || status=$?
if [ -n "$results" ]; then
  stestr last --subunit | /usr/bin/python3 "$here/results.py" --commit "$(git -C "$root" rev-parse --short HEAD)" >"$results"
  log "results in $results"
fi
exit "$status"
