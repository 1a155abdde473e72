#!/usr/bin/env bash
# bench/http/cpu.sh [hello|framework] [rr serve options…]
#   CPU time per request of rr's node process and of its PHP workers, read from /proc/<pid>/stat
#   around one wrk run. Steadier than req/s on a shared VM: a neighbour that steals time slows
#   the run down but adds little CPU to each request. Use it for A/B runs of one change
#   (interleave them: the figures still move ±3–5 % between runs).
# Env: RR_BENCH_PORT (18080), THREADS (2), CONNS (32), DURATION (8s), WARMUP (3s), RUNS (3).
set -euo pipefail
APP="${1:-hello}"; shift || true
case "$APP" in hello|framework) ;; *) echo "usage: $0 [hello|framework] [rr serve options…]" >&2; exit 2 ;; esac

ROOT="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
SHARED="$ROOT/../shared/bench"
command -v wrk >/dev/null || { echo "cpu.sh: wrk is missing: run $SHARED/setup.sh first" >&2; exit 1; }
[[ -f "$ROOT/packages/cli/dist/main.js" ]] || (cd "$ROOT" && pnpm build)
export RR_BENCH_APPS="$SHARED/apps"
[[ "$APP" != framework ]] || php "$SHARED/apps/framework/bin/warmup.php" >/dev/null

PORT="${RR_BENCH_PORT:-18080}"; THREADS="${THREADS:-2}"; CONNS="${CONNS:-32}"
DURATION="${DURATION:-8s}"; WARMUP="${WARMUP:-3s}"; RUNS="${RUNS:-3}"
URL="http://127.0.0.1:$PORT/"
TICK=$(getconf CLK_TCK)

RR_PID=""
finish() { [[ -z "$RR_PID" ]] || { kill -TERM "$RR_PID" 2>/dev/null || true; wait "$RR_PID" 2>/dev/null || true; }; }
trap finish EXIT INT TERM

# utime+stime (clock ticks) of one pid, and of its children summed.
ticks() { local f; read -r -a f < "/proc/$1/stat"; echo $(( f[13] + f[14] )); }
kid_ticks() {
  local sum=0 k kids=()
  read -r -a kids < "/proc/$1/task/$1/children" || true
  for k in "${kids[@]}"; do sum=$(( sum + $(ticks "$k") )); done
  echo "$sum"
}

cd "$ROOT/bench/http/$APP"
node "$ROOT/packages/cli/dist/main.js" serve -c .rr.yaml -o "http.address=127.0.0.1:$PORT" "$@" & RR_PID=$!
for _ in $(seq 1 200); do curl -sf -o /dev/null "$URL" && break; read -r -t 0.05 _ <> <(:) || true; done
curl -sf -o /dev/null "$URL" || { echo "cpu.sh: rr did not answer on $URL" >&2; exit 1; }
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$URL" >/dev/null

for run in $(seq 1 "$RUNS"); do
  n0=$(ticks "$RR_PID"); p0=$(kid_ticks "$RR_PID")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$URL")
  n1=$(ticks "$RR_PID"); p1=$(kid_ticks "$RR_PID")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v n=$(( n1 - n0 )) -v p=$(( p1 - p0 )) -v r="$reqs" -v t="$TICK" -v rps="$rps" -v run="$run" 'BEGIN {
    printf "run %d  %9.0f req/s  node %5.1f us/req  php %5.1f us/req\n", run, rps, n / t / r * 1e6, p / t / r * 1e6 }'
done
