#!/usr/bin/env bash
# Starts a real single-node Apache Kafka broker (KRaft mode: broker and controller in one JVM)
# on 127.0.0.1, for development and tests. Docker is not available on our machines, so the
# broker runs straight from the Maven-resolved jars (see pom.xml next to this script).
#
# Usage: scripts/kafka/start.sh [--port N] [--data-dir DIR]
#   --port N        listen on this port instead of a free one (restart on the same port in
#                   fault-injection tests; clients keep their bootstrap address)
#   --data-dir DIR  use DIR for config, logs and Kafka's data; if it already holds a formatted
#                   log dir (a previous run stopped with stop.sh --keep-data) the data is kept
#
# Stdout: exactly one line, KAFKA_BROKERS=127.0.0.1:<port>. Everything else goes to stderr,
# so callers can do: eval "$(scripts/kafka/start.sh)"
#
# Environment:
#   KAFKA_STATE_FILE     where pid, ports and dir are recorded for stop.sh
#                        (default: ${TMPDIR:-/tmp}/controlplane-kafka.state)
#   KAFKA_HOME_CACHE     jar cache, outside the git tree
#                        (default: $HOME/.cache/controlplane-kafka/<kafka version>)
#   KAFKA_START_TIMEOUT  seconds to wait for the broker to be ready (default: 90)
#   KAFKA_HEAP_OPTS      JVM heap flags (default: -Xmx512m -Xms256m; the machines have 2 cores
#                        and share them with the test runner, so the broker is kept small)
#   KAFKA_OWNER_PID      when set, a watcher stops the broker (and removes its dir) once that
#                        process is gone, so a test runner that crashes leaves no broker behind
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pom="$script_dir/pom.xml"

log() { printf 'kafka/start: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
usage() { sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; }

port=""
data_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port)
      [ $# -ge 2 ] || die "--port needs a value"
      port=$2
      shift 2
      ;;
    --port=*)
      port=${1#*=}
      shift
      ;;
    --data-dir)
      [ $# -ge 2 ] || die "--data-dir needs a value"
      data_dir=$2
      shift 2
      ;;
    --data-dir=*)
      data_dir=${1#*=}
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
if [ -n "$port" ] && ! [[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]]; then
  die "--port must be a TCP port number, got '$port'"
fi

command -v java >/dev/null 2>&1 || die "java not found on PATH (Java 17 is required)"

kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n 1)
[ -n "$kafka_version" ] || die "cannot read <kafka.version> from $pom"
cache_dir=${KAFKA_HOME_CACHE:-$HOME/.cache/controlplane-kafka/$kafka_version}
libs="$cache_dir/libs"
state_file=${KAFKA_STATE_FILE:-${TMPDIR:-/tmp}/controlplane-kafka.state}
timeout_s=${KAFKA_START_TIMEOUT:-90}
[[ $timeout_s =~ ^[0-9]+$ ]] || die "KAFKA_START_TIMEOUT must be a number of seconds"
read -r -a heap_opts <<<"${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"

# ---------------------------------------------------------------------------------------------
# Jars. The marker holds a hash of pom.xml: a changed pom (other version, extra jar) refetches
# even when KAFKA_HOME_CACHE points at an old cache, and an interrupted fetch never counts as done.
# ---------------------------------------------------------------------------------------------
pom_hash=$(sha256sum "$pom" | cut -d ' ' -f 1)
marker="$libs/.complete"

jars_ready() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$pom_hash" ]; }

fetch_jars() {
  jars_ready && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH: Maven is needed once to fetch the Kafka jars"
  mkdir -p "$cache_dir"
  # Parallel starts (several test runs at once) must not fetch into the same dir together:
  # one takes the lock and fetches, the others wait and then find the marker.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_dir/.fetch.lock"
    flock -w 900 9 || die "timed out waiting for another process fetching into $cache_dir"
    if jars_ready; then
      exec 9>&-
      return 0
    fi
  fi
  log "fetching Kafka $kafka_version jars with Maven into $libs (first run on this machine only)"
  local tmp_libs
  tmp_libs=$(mktemp -d "$cache_dir/libs.tmp.XXXXXX")
  # Copy into a scratch dir and rename it at the end, so libs/ is either complete or absent.
  # -B: no progress bars. Maven 3.8 still prints bare colour resets even with -B, so sed strips
  # escape codes. All Maven output goes to stderr: stdout is reserved for the one result line.
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp_libs" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp_libs"
    die "Maven could not resolve the Kafka jars (see its output above)"
  fi
  printf '%s\n' "$pom_hash" >"$tmp_libs/.complete"
  rm -rf "$libs"
  mv "$tmp_libs" "$libs"
  if command -v flock >/dev/null 2>&1; then exec 9>&-; fi
}

# ---------------------------------------------------------------------------------------------
# Processes and ports
# ---------------------------------------------------------------------------------------------
# kill -0 also succeeds on a zombie, which is what an exited broker becomes when its adoptive
# parent does not reap it (some container inits); treat zombies as gone.
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

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp, no extra tools).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints $1 distinct free ports. Node (always present in this project) asks the kernel for
# them (listen on port 0), which cannot collide with a listening socket; without Node, random
# ports below Linux's ephemeral range (32768+) are probed, so outgoing connections don't take them.
pick_free_ports() {
  local n=$1
  if command -v node >/dev/null 2>&1; then
    # shellcheck disable=SC2016 # JavaScript, not shell
    if node -e '
      const net = require("net");
      const n = Number(process.argv[1]);
      const servers = [];
      const next = () => {
        if (servers.length === n) {
          console.log(servers.map((s) => s.address().port).join(" "));
          servers.forEach((s) => s.close());
          return;
        }
        const s = net.createServer();
        s.on("error", (e) => { console.error(e.message); process.exit(1); });
        s.listen(0, "127.0.0.1", () => { servers.push(s); next(); });
      };
      next();
    ' "$n"; then
      return 0
    fi
  fi
  local picked=() p tries=0
  while [ ${#picked[@]} -lt "$n" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 1000 ] || die "could not find a free port"
    p=$((20000 + RANDOM % 12000))
    if ! port_in_use "$p" && [[ " ${picked[*]-} " != *" $p "* ]]; then picked+=("$p"); fi
  done
  echo "${picked[@]}"
}

# Cluster ids are 16 random bytes in URL-safe base64 without padding (22 chars), as
# `kafka.tools.StorageTool random-uuid` prints; made here to save a JVM start (~2 s on 2 cores).
# Like Kafka's Uuid.randomUuid(), reject ids starting with '-': CLI parsers take them for options.
random_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [ "${id:0:1}" != - ] && [ ${#id} -eq 22 ] && break
  done
  echo "$id"
}

read_state() { sed -n "s/^$1=//p" "$state_file" 2>/dev/null | head -n 1; }

# ---------------------------------------------------------------------------------------------
# One broker per state file: refuse to overwrite the record of a broker that is still running,
# since stop.sh could then never find it.
# ---------------------------------------------------------------------------------------------
if [ -f "$state_file" ]; then
  old_pid=$(read_state pid)
  if [ -n "$old_pid" ] && alive "$old_pid"; then
    die "a broker is already running (pid $old_pid, $(read_state brokers)) per $state_file; stop it with scripts/kafka/stop.sh or set KAFKA_STATE_FILE"
  fi
  rm -f "$state_file"
fi

fetch_jars

if [ -n "$port" ] && port_in_use "$port"; then die "port $port on 127.0.0.1 is already in use"; fi

broker_pid=""
started=0
created_dir=0
print_logs() {
  local f
  for f in "$server_log" "$stdout_log"; do
    if [ -s "$f" ]; then
      log "---- last lines of $f ----"
      tail -n 30 "$f" >&2
    fi
  done
}
stop_broker_now() {
  local i
  if [ -z "$broker_pid" ] || ! alive "$broker_pid"; then return 0; fi
  kill -TERM "$broker_pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$broker_pid" || return 0
    sleep 0.1
  done
  kill -KILL "$broker_pid" 2>/dev/null || true
}
# Any failure or interruption from here on (including the caller killing us on its own
# timeout) must not leave a half-started broker or a stray temp dir behind.
on_exit() {
  [ "$started" = 1 ] && return 0
  stop_broker_now
  if [ "$created_dir" = 1 ]; then rm -rf "$data_dir"; fi
  rm -f "$state_file"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Working dir: config, logs and Kafka's log.dirs all live in one dir, so --keep-data and
# --data-dir deal with a single path. The marker file tells stop.sh the dir is ours to delete.
# ---------------------------------------------------------------------------------------------
if [ -n "$data_dir" ]; then
  if [ -d "$data_dir" ] && [ -n "$(ls -A "$data_dir")" ] && [ ! -f "$data_dir/.controlplane-kafka" ]; then
    # Refuse: stop.sh deletes the dir, and this one holds something that is not ours.
    die "--data-dir $data_dir is not empty and was not made by this script"
  fi
  mkdir -p "$data_dir"
  data_dir=$(cd "$data_dir" && pwd)
else
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/controlplane-kafka.XXXXXX")
  created_dir=1
fi
touch "$data_dir/.controlplane-kafka"
kraft_dir="$data_dir/kraft-logs"
logs_dir="$data_dir/logs"
mkdir -p "$logs_dir"
server_log="$logs_dir/server.log"
stdout_log="$logs_dir/stdout.log"
props="$data_dir/server.properties"

# Ports. The controller port of a reused dir is kept when still free: the quorum is static
# (controller.quorum.voters), so keeping it avoids any doubt about a moved voter.
controller_port=""
if [ -f "$data_dir/controller.port" ]; then
  controller_port=$(cat "$data_dir/controller.port")
  if ! [[ $controller_port =~ ^[0-9]+$ ]] || port_in_use "$controller_port" || [ "$controller_port" = "$port" ]; then
    controller_port=""
  fi
fi
if [ -z "$port" ] || [ -z "$controller_port" ]; then
  read -r p1 p2 <<<"$(pick_free_ports 2)" || true
  if [ -z "${p1:-}" ] || [ -z "${p2:-}" ]; then die "could not pick free ports"; fi
  # p1 != p2, so taking whichever differs from the port already fixed never collides.
  if [ -z "$port" ]; then
    if [ "$p1" != "$controller_port" ]; then port=$p1; else port=$p2; fi
  fi
  if [ -z "$controller_port" ]; then
    if [ "$p1" != "$port" ]; then controller_port=$p1; else controller_port=$p2; fi
  fi
  [ "$controller_port" != "$port" ] || die "internal error: broker and controller ports collide"
fi
echo "$controller_port" >"$data_dir/controller.port"

# ---------------------------------------------------------------------------------------------
# Configuration, rewritten on every start (ports may change); the data stays in kraft-logs/.
# ---------------------------------------------------------------------------------------------
cat >"$props" <<EOF
# Written by scripts/kafka/start.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
# Loopback only: a dev/test broker must never be reachable from outside this machine.
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$kraft_dir

# One node: every replication factor and ISR minimum must be 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# The internal topics default to 50 partitions each; creating those on first use costs
# seconds on a 2-core machine, and a single broker gains nothing from them.
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4

# Topics are created explicitly by the code (a typo must not silently create a topic).
auto.create.topics.enable=false
num.partitions=12

# Tests join consumer groups all the time: no 3 s wait for more members.
group.initial.rebalance.delay.ms=0

# Sized for 2 cores shared with the test runner.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF

# Logs go to a file in the data dir (not the caller's stdout/stderr, which a test runner owns).
cat >"$data_dir/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$server_log
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
# Per-request and state-change chatter would dwarf everything else.
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF

# Command-line tools (the storage formatter) log warnings to stderr only, which goes to
# format.log: server.log stays the broker's own.
cat >"$data_dir/log4j-tools.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF

# A fresh server.log per start, so the readiness check below cannot match a previous run.
if [ -f "$server_log" ]; then mv -f "$server_log" "$server_log.previous"; fi
if [ -f "$stdout_log" ]; then mv -f "$stdout_log" "$stdout_log.previous"; fi


java_common=(
  -Djava.awt.headless=true
  "-Dkafka.logs.dir=$logs_dir"
  -cp "$libs/*"
)

# Format the storage only once: a reused, formatted dir keeps its cluster id and its data.
if [ ! -f "$kraft_dir/meta.properties" ]; then
  cluster_id=$(random_cluster_id)
  # Short-lived tool: C1 only (TieredStopAtLevel=1) starts faster and needs little heap.
  if ! java -Xmx256m -XX:TieredStopAtLevel=1 "-Dlog4j.configuration=file:$data_dir/log4j-tools.properties" \
    "${java_common[@]}" kafka.tools.StorageTool format \
    --cluster-id "$cluster_id" --config "$props" >"$logs_dir/format.log" 2>&1; then
    cat "$logs_dir/format.log" >&2
    die "formatting the storage in $kraft_dir failed"
  fi
fi

log "starting Kafka $kafka_version on 127.0.0.1:$port (controller :$controller_port, dir $data_dir)"
pid_file="$data_dir/broker.pid"
rm -f "$pid_file"
# setsid: the broker gets its own session, so it outlives this script and is not hit by
# signals meant for the caller's process group; stdin/stdout/stderr are files, so a caller
# reading our output (child_process) is not kept waiting on pipes the broker holds open.
# The small bash wrapper records the real java pid before exec'ing it.
launcher=()
if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
# shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
"${launcher[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
  java "${heap_opts[@]}" \
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
  -XX:+ExplicitGCInvokesConcurrent \
  "-Dcontrolplane.kafka.dir=$data_dir" \
  "-Dlog4j.configuration=file:$data_dir/log4j.properties" \
  "${java_common[@]}" kafka.Kafka "$props" \
  </dev/null >"$stdout_log" 2>&1 &

for ((i = 0; i < 100; i++)); do
  [ -s "$pid_file" ] && break
  sleep 0.05
done
broker_pid=$(cat "$pid_file" 2>/dev/null || true)
[ -n "$broker_pid" ] || die "the broker process did not start"

# Record the broker before waiting, so even a stop.sh racing a slow start can find it.
write_state() {
  local tmp="$state_file.tmp.$$"
  cat >"$tmp" <<EOF
pid=$broker_pid
port=$port
controller_port=$controller_port
brokers=127.0.0.1:$port
data_dir=$data_dir
server_log=$server_log
kafka_version=$kafka_version
EOF
  mv -f "$tmp" "$state_file"
}
mkdir -p "$(dirname "$state_file")"
write_state

# Ready means: the broker logged that startup finished (in KRaft mode that comes after it
# caught up with the metadata log and was unfenced, i.e. it can lead partitions and serve
# clients) AND its port accepts connections. An open port alone is not enough: the socket
# server opens before the broker is unfenced, and early clients would see errors.
deadline=$((SECONDS + timeout_s))
while :; do
  if ! alive "$broker_pid"; then
    print_logs
    die "the broker exited during startup"
  fi
  if grep -q 'Kafka Server started' "$server_log" 2>/dev/null && port_in_use "$port"; then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    print_logs
    die "the broker was not ready after ${timeout_s}s"
  fi
  sleep 0.2
done

# Optional watcher: stop the broker when its owner (a test runner) is gone without stopping it.
if [ -n "${KAFKA_OWNER_PID:-}" ]; then
  # shellcheck disable=SC2016 # the script is for the inner shell
  # It gives up as soon as the broker is gone (stop.sh ran), so a dir kept with --keep-data is
  # never deleted by it.
  "${launcher[@]}" bash -c '
    owner=$1 broker=$2 dir=$3 state=$4
    alive() {
      kill -0 "$1" 2>/dev/null || return 1
      s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
      s=${s##*) }
      [ "${s%% *}" != Z ]
    }
    while kill -0 "$owner" 2>/dev/null; do
      alive "$broker" || exit 0
      sleep 2
    done
    alive "$broker" || exit 0
    kill -TERM "$broker" 2>/dev/null
    for _ in $(seq 1 300); do alive "$broker" || break; sleep 0.1; done
    kill -KILL "$broker" 2>/dev/null
    if [ -f "$dir/.controlplane-kafka" ]; then rm -rf "$dir"; fi
    rm -f "$state"
  ' _ "$KAFKA_OWNER_PID" "$broker_pid" "$data_dir" "$state_file" </dev/null >/dev/null 2>&1 &
fi

started=1
log "ready after ${SECONDS}s (pid $broker_pid, state $state_file)"
echo "KAFKA_BROKERS=127.0.0.1:$port"
