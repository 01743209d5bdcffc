#!/usr/bin/env bash
# Puts the same load on papo-server, ngIRCd and Redis pub/sub, one after another on this machine:
# each server pinned to CPU 0, the load tool (server/examples/load) to CPU 1. N clients join one
# after another, 10 of them send (Redis: 10 extra publishers), 64 lines in flight each.
#
#   server/bench/side-by-side.sh [--quick] [--rounds R] [--clients "100 1000"] [--senders S]
#       [--window W] [--messages M] [--other PAPO_SERVER_BINARY] [--other-args "ARGS"]
#       [--papo-server BINARY] [--load BINARY]
#
# Servers: ngircd, redis, papo-mem (--no-history), papo-sqlite (a fresh --history-db), and
# other (--other, run like papo-mem) when given. Messages per sender default to 10 000 000 /
# clients, so every run delivers 10^8 lines (several seconds of server CPU; CPU ticks mislead
# in short runs). --quick: 20 clients, 3 senders, 200 messages, debug builds.
#
# Binaries: --papo-server/--load (or $PAPO_SERVER_BIN/$PAPO_LOAD_BIN) skip the cargo build.
# Installs ngircd and redis-server with apt-get when missing. Prints each run's raw `result` line
# as it finishes, then one table. Exits non-zero if any run lost lines or failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

quick=0 rounds=1 clients_list="" senders="" window=64 messages="" other="" other_args=""
papo_bin=${PAPO_SERVER_BIN:-} load_bin=${PAPO_LOAD_BIN:-}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --rounds) rounds=$2; shift ;;
    --clients) clients_list=$2; shift ;;
    --senders) senders=$2; shift ;;
    --window) window=$2; shift ;;
    --messages) messages=$2; shift ;;
    --other) other=$2; shift ;;
    --other-args) other_args=$2; shift ;;
    --papo-server) papo_bin=$2; shift ;;
    --load) load_bin=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  clients_list=${clients_list:-20} senders=${senders:-3} messages=${messages:-200}
  settle_ms=200 timeout_secs=60
else
  clients_list=${clients_list:-"100 1000"} senders=${senders:-10}
  settle_ms=2000 timeout_secs=1800
fi

# --- tools -------------------------------------------------------------------------------------
find_tool() { command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; } || true; }
ngircd=$(find_tool ngircd) redis=$(find_tool redis-server)
if [ -z "$ngircd" ] || [ -z "$redis" ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo=sudo; else
      echo "ngircd and redis-server are missing and this user cannot install them;" \
        "run: sudo apt-get install ngircd redis-server" >&2
      exit 1
    fi
  fi
  echo "installing ngircd and redis-server with apt-get" >&2
  $sudo apt-get install -y ngircd redis-server >&2 ||
    { $sudo apt-get update >&2 && $sudo apt-get install -y ngircd redis-server >&2; } ||
    { echo "apt-get could not install ngircd and redis-server" >&2; exit 1; }
  ngircd=$(find_tool ngircd) redis=$(find_tool redis-server)
fi
# Server on CPU 0, load tool on CPU 1 (prefixes, so that $! is the server's own PID).
cpu0=() cpu1=()
if command -v taskset >/dev/null; then cpu0=(taskset -c 0) cpu1=(taskset -c 1); fi

if [ -z "$papo_bin" ] || [ -z "$load_bin" ]; then
  if [ "$quick" = 1 ]; then
    cargo build -q -p papo-server --bin papo-server --example load
    papo_bin=${papo_bin:-target/debug/papo-server} load_bin=${load_bin:-target/debug/examples/load}
  else
    cargo build --release -q -p papo-server --bin papo-server --example load
    papo_bin=${papo_bin:-target/release/papo-server} load_bin=${load_bin:-target/release/examples/load}
  fi
fi

ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
pids=()
stop_server() { # pid
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  for pid in "${pids[@]}"; do stop_server "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else # below Linux's ephemeral range, not listening now
    local port
    for _ in $(seq 100); do
      port=$((20000 + RANDOM % 12000))
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
    return 1
  fi
}
wait_for_port() { # pid port — until it accepts, at most 10 s
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# --- one run -----------------------------------------------------------------------------------
results=()   # "label round clients result-fields…"
failed=0
server_pid="" server_addr=""

start_ngircd() {
  local port conf=$work/ngircd.conf
  port=$(free_port)
  cat >"$conf" <<EOF
[Global]
Name = bench.papo.local
Info = papo side-by-side benchmark
MotdPhrase = papo bench
Listen = 127.0.0.1
Ports = $port
[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxPenaltyTime = 0
PingTimeout = 600
[Options]
DNS = no
Ident = no
PAM = no
EOF
  "${cpu0[@]}" "$ngircd" -n -f "$conf" >"$work/server.log" 2>&1 &
  server_pid=$! server_addr=127.0.0.1:$port
  pids+=("$server_pid")
  wait_for_port "$server_pid" "$port"
}

start_redis() {
  local port
  port=$(free_port)
  "${cpu0[@]}" "$redis" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no \
    --client-output-buffer-limit 'pubsub 0 0 0' --maxclients 20000 --daemonize no \
    >"$work/server.log" 2>&1 &
  server_pid=$! server_addr=127.0.0.1:$port
  pids+=("$server_pid")
  wait_for_port "$server_pid" "$port"
}

start_papo() { # binary clients extra-args…
  local bin=$1 clients=$2
  shift 2
  : >"$work/server.out"
  "${cpu0[@]}" "$bin" --port 0 --max-clients $((clients + senders + 64)) "$@" \
    >"$work/server.out" 2>"$work/server.log" &
  server_pid=$! server_addr=""
  pids+=("$server_pid")
  for _ in $(seq 100); do
    server_addr=$(sed -n 's/^listening on \([^ ]*\)$/\1/p' "$work/server.out" | head -1)
    [ -n "$server_addr" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

run() { # label round clients
  local label=$1 round=$2 clients=$3 protocol=papo started=0 out msgs
  msgs=${messages:-$((10000000 / clients))}
  case $label in
    ngircd) protocol=irc; start_ngircd && started=1 ;;
    redis) protocol=redis; start_redis && started=1 ;;
    papo-mem) start_papo "$papo_bin" "$clients" --no-history --no-flood-limit && started=1 ;;
    papo-sqlite) start_papo "$papo_bin" "$clients" --no-flood-limit \
      --history-db "$work/history-$round-$clients.db" && started=1 ;;
    # shellcheck disable=SC2086 # word-split the extra arguments on purpose
    other) start_papo "$other" "$clients" ${other_args:---no-history --no-flood-limit} && started=1 ;;
  esac
  if [ "$started" != 1 ]; then
    echo "$label: the server did not start; its log:" >&2
    tail -20 "$work/server.log" >&2 || true
    results+=("$label $round $clients FAILED")
    failed=1
    return
  fi
  echo "== $label, round $round, $clients clients, $senders senders × $msgs lines, window $window" >&2
  local status=0
  out=$("${cpu1[@]}" "$load_bin" --protocol "$protocol" --addr "$server_addr" --clients "$clients" \
    --senders "$senders" --messages "$msgs" --window "$window" --server-pid "$server_pid" \
    --settle-ms "$settle_ms" --timeout-secs "$timeout_secs" 2>"$work/load.err") || status=$?
  stop_server "$server_pid"
  local kept=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$server_pid" ] || kept+=("$pid"); done
  pids=("${kept[@]}")
  local result
  result=$(grep '^result ' <<<"$out" || true)
  if [ -z "$result" ]; then
    echo "$label: the load tool failed (exit $status):" >&2
    cat "$work/load.err" >&2
    tail -20 "$work/server.log" >&2 || true
    results+=("$label $round $clients FAILED")
    failed=1
    return
  fi
  echo "$label round=$round $result"
  if [ "$protocol" = papo ]; then
    # The room log's own figures, from papo-server's closing log line, when it prints them.
    local figures
    figures=$(grep -oE '(events_per_commit|store_us_per_event)="?[0-9.]+' "$work/server.log" |
      tail -2 | tr -d '"' | tr '\n' ' ' || true)
    [ -n "$figures" ] && echo "  papo log: $figures"
  fi
  [ -s "$work/load.err" ] && sed 's/^/  load: /' "$work/load.err" >&2
  [ "$status" = 0 ] || failed=1
  results+=("$label $round $clients ${result#result }")
}

servers=(ngircd redis papo-mem papo-sqlite)
[ -n "$other" ] && servers+=(other)
for round in $(seq "$rounds"); do
  for clients in $clients_list; do
    for label in "${servers[@]}"; do run "$label" "$round" "$clients"; done
  done
done

# --- the table ---------------------------------------------------------------------------------
field() { # name fields… — the value of name=… among the fields
  local name=$1; shift
  local f
  for f in "$@"; do [ "${f%%=*}" = "$name" ] && { echo "${f#*=}"; return; }; done
  echo -
}
echo
printf '%-12s %5s %7s %12s %13s %9s %9s %9s %7s %7s %9s %13s %8s\n' \
  server round clients deliveries/s per-cpu-s p50-us p99-us p99.9-us lost join-s rss-MiB \
  idle-KiB/cl papo-x
for row in "${results[@]}"; do
  # shellcheck disable=SC2086 # a row is space-separated words
  set -- $row
  label=$1 round=$2 clients=$3
  shift 3
  if [ "$1" = FAILED ]; then
    printf '%-12s %5s %7s %s\n' "$label" "$round" "$clients" FAILED
    continue
  fi
  per_cpu=$(field per_cpu_s "$@")
  papo_per_cpu=-
  for other_row in "${results[@]}"; do
    # shellcheck disable=SC2086
    set -- $other_row
    if [ "$1 $2 $3" = "papo-mem $round $clients" ] && [ "$4" != FAILED ]; then
      shift 3
      papo_per_cpu=$(field per_cpu_s "$@")
    fi
  done
  # shellcheck disable=SC2086
  set -- $row
  shift 3
  ratio=-
  if [ "$papo_per_cpu" != - ] && [ "$per_cpu" != - ]; then
    ratio=$(awk -v a="$papo_per_cpu" -v b="$per_cpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  fi
  rss=$(field rss_idle_kib "$@") per_client=$(field idle_bytes_per_client "$@")
  [ "$rss" != - ] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  [ "$per_client" != - ] && per_client=$(awk -v b="$per_client" 'BEGIN { printf "%.1f", b / 1024 }')
  lost=$(field lost "$@")
  [ "$lost" = 0 ] || failed=1
  printf '%-12s %5s %7s %12s %13s %9s %9s %9s %7s %7s %9s %13s %8s\n' \
    "$label" "$round" "$clients" "$(field deliveries_per_s "$@")" "$per_cpu" \
    "$(field p50_us "$@")" "$(field p99_us "$@")" "$(field p999_us "$@")" "$lost" \
    "$(field join_s "$@")" "$rss" "$per_client" "$ratio"
done
echo "papo-x: papo-mem deliveries per server CPU-second divided by the row's (same round and clients)."
exit "$failed"
