#!/usr/bin/env bash
# Runs the load tool against papo-server side by side, in one run on this machine: the server
# pinned to CPU 0, the load tool to CPU 1, 10 senders with 64 lines in flight each, at 100 and
# 1 000 clients, with the history in memory (--no-history) and in SQLite. Pass another
# papo-server binary (an older build, say) as $1 to measure it in the same run.
#
#   server/bench/side-by-side.sh [OTHER_PAPO_SERVER] [ROUNDS]
#
# Prints one line per run: deliveries/s, server CPU seconds, deliveries per server CPU-second,
# latency p50/p99 (send → back at the sender, µs), lost lines, and the room log's own figures
# (events per commit, microseconds in the store per event) from the server's closing log line.
set -euo pipefail
cd "$(dirname "$0")/../.."
other=${1:-}
rounds=${2:-2}
cargo build --release -q -p papo-server --bin papo-server --example load
new=target/release/papo-server
load=target/release/examples/load
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"

run() { # label clients messages server-command…
  local label=$1 clients=$2 messages=$3
  shift 3
  taskset -c 0 "$@" --port 0 --max-clients 5000 >"$work/out" 2>"$work/err" &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.1; done
  local addr res
  addr=$(sed -n 's/listening on //p' "$work/out")
  res=$(taskset -c 1 "$load" --addr "$addr" --clients "$clients" --senders 10 \
    --messages "$messages" --window 64 --server-pid "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  printf '%-8s %5s  %9s/s  cpu %5ss  %9s per cpu-s  p50/p99 %s µs  lost %s  %s %s\n' "$label" "$clients" \
    "$(sed -n 's/.*deliveries\/s \([0-9]*\).*/\1/p' <<<"$res")" \
    "$(sed -n 's/server cpu \([0-9.]*\)s.*/\1/p' <<<"$res")" \
    "$(sed -n 's/.*per server CPU-second \([0-9]*\).*/\1/p' <<<"$res")" \
    "$(sed -n 's/latency us p50 \([0-9]*\) p99 \([0-9]*\).*/\1\/\2/p' <<<"$res")" \
    "$(sed -n 's/.*lost \([0-9]*\).*/\1/p' <<<"$res")" \
    "$(grep -o 'events_per_commit=[0-9]*' "$work/err" | tail -1 || true)" \
    "$(grep -o 'store_us_per_event="*[0-9.]*' "$work/err" | tail -1 | tr -d '"' || true)"
}

for round in $(seq "$rounds"); do
  for size in "100 20000" "1000 2000"; do
    set -- $size
    [ -n "$other" ] && run other "$1" "$2" "$other"
    run memory "$1" "$2" "$new" --no-history --no-flood-limit
    run sqlite "$1" "$2" "$new" --no-flood-limit --history-db "$work/history-$round-$1.db"
  done
done
