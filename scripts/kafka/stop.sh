#!/usr/bin/env bash
# Stops a broker started by scripts/kafka/start.sh, found through its state file.
#
# Usage: scripts/kafka/stop.sh [--keep-data]
#   --keep-data  leave the broker's dir (config, logs, Kafka data) in place, so that
#                start.sh --data-dir DIR [--port N] can bring the same broker back
#
# Environment:
#   KAFKA_STATE_FILE  the state file start.sh wrote (default: ${TMPDIR:-/tmp}/controlplane-kafka.state)
#
# Stopping a broker that is not running is not an error: teardown code calls this
# unconditionally, also after a failed or already-stopped start.
set -euo pipefail

log() { printf 'kafka/stop: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

keep_data=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-data)
      keep_data=1
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

state_file=${KAFKA_STATE_FILE:-${TMPDIR:-/tmp}/controlplane-kafka.state}
if [ ! -f "$state_file" ]; then
  log "no state file at $state_file: no broker to stop"
  exit 0
fi
read_state() { sed -n "s/^$1=//p" "$state_file" | head -n 1; }
pid=$(read_state pid)
data_dir=$(read_state data_dir)

# kill -0 also succeeds on a zombie (an exited broker whose adoptive parent does not reap it,
# as with some container inits); a zombie is stopped already, so treat it as gone.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ] || return 1
  fi
  return 0
}

# Only signal the process if it is still our broker: after a reboot or a crash the pid may
# belong to something else by now. start.sh puts -Dcontrolplane.kafka.dir=<dir> on the java
# command line for exactly this check.
is_our_broker() {
  local cmdline
  alive "$1" || return 1
  if [ -r "/proc/$1/cmdline" ]; then
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  else
    cmdline=$(ps -o command= -p "$1" 2>/dev/null) || return 1
  fi
  [[ $cmdline == *"-Dcontrolplane.kafka.dir=$data_dir "* ]]
}

if [ -n "$pid" ] && is_our_broker "$pid"; then
  # SIGTERM runs Kafka's shutdown hook: a controlled shutdown that flushes and closes the logs
  # cleanly, so a restart on the same data dir skips log recovery. 30 s is far more than a
  # single idle node needs; SIGKILL after that so a stuck JVM cannot hang a test run.
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "broker pid $pid still running 30 s after SIGTERM: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    alive "$pid" && die "broker pid $pid survived SIGKILL"
  fi
  log "stopped broker pid $pid"
else
  log "broker pid ${pid:-?} is not running"
fi

if [ "$keep_data" = 1 ]; then
  log "kept $data_dir"
elif [ -n "$data_dir" ] && [ -f "$data_dir/.controlplane-kafka" ]; then
  # The marker file is made by start.sh: never delete a dir it did not set up.
  rm -rf "$data_dir"
fi
rm -f "$state_file"
