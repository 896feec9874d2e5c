#!/usr/bin/env bash
# Starts a real OpenStack Keystone (Debian's `keystone` package) on 127.0.0.1 with a SQLite
# database and fernet tokens, for development and tests: the identity service that the control
# plane validates tokens against in `CP_AUTH_STRATEGY=keystone` mode.
#
# Usage: scripts/keystone/start.sh [--port N] [--data-dir DIR] [--admin-password PW]
#
# Stdout: KEYSTONE_URL=http://127.0.0.1:<port>/v3, KEYSTONE_ADMIN_PASSWORD=<pw> and
# KEYSTONE_PID=<pid>, one per line, so callers can `eval "$(scripts/keystone/start.sh)"`.
# Everything else goes to stderr. Stop it with `kill $KEYSTONE_PID` (scripts/keystone/stop.sh).
#
# Bootstrap gives the usual Keystone roles (admin implies member implies reader), the `admin`
# user in project `admin`, region RegionOne and the identity endpoint. Users, projects and the
# `service`/`agent` roles the control plane needs are made by whoever uses it (the tests, or an
# operator following the README).
#
# Environment:
#   KEYSTONE_OWNER_PID  when set, Keystone is stopped (and its dir removed) once that process
#                       is gone, so a crashed test run leaves nothing behind
set -euo pipefail

log() { printf 'keystone/start: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

port=""
data_dir=""
password="admin-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --admin-password) password=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

command -v keystone-manage >/dev/null || die "keystone-manage not found: apt-get install keystone"
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
if [ -z "$data_dir" ]; then data_dir=$(mktemp -d "${TMPDIR:-/tmp}/controlplane-keystone.XXXXXX"); fi
mkdir -p "$data_dir"/{fernet,receipts,credential,log}
conf="$data_dir/keystone.conf"
cat >"$conf" <<CONF
[DEFAULT]
log_dir = $data_dir/log
[database]
connection = sqlite:///$data_dir/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $data_dir/fernet
[fernet_receipts]
key_repository = $data_dir/receipts
[credential]
key_repository = $data_dir/credential
CONF

manage() { keystone-manage --config-file "$conf" "$@" >>"$data_dir/log/manage.log" 2>&1 || die "keystone-manage $1 failed: see $data_dir/log/manage.log"; }
url="http://127.0.0.1:$port/v3/"
manage db_sync
manage fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
manage credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
manage bootstrap --bootstrap-password "$password" --bootstrap-admin-url "$url" \
  --bootstrap-internal-url "$url" --bootstrap-public-url "$url" --bootstrap-region-id RegionOne
# Without WAL a failed lookup can leave a read lock behind and the next write fails with
# "database is locked".
python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')" "$data_dir/keystone.db"

OS_KEYSTONE_CONFIG_FILES="$conf" setsid keystone-wsgi-public --host 127.0.0.1 --port "$port" \
  >>"$data_dir/log/wsgi.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$data_dir/pid"
for _ in $(seq 1 100); do
  if python3 - "$url" <<'PY' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1)
PY
  kill -0 "$pid" 2>/dev/null || die "keystone exited: $(tail -5 "$data_dir/log/wsgi.log")"
  sleep 0.2
done
if [ -n "${KEYSTONE_OWNER_PID:-}" ]; then
  (while kill -0 "$KEYSTONE_OWNER_PID" 2>/dev/null; do sleep 2; done; kill "$pid" 2>/dev/null; rm -rf "$data_dir") >/dev/null 2>&1 </dev/null &
fi
log "Keystone on ${url} (pid $pid, dir $data_dir)"
echo "KEYSTONE_URL=http://127.0.0.1:$port/v3"
echo "KEYSTONE_ADMIN_PASSWORD=$password"
echo "KEYSTONE_PID=$pid"
echo "KEYSTONE_DIR=$data_dir"
