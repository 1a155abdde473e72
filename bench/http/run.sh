#!/usr/bin/env bash
# bench/http/run.sh [hello|framework] [--profile]
#   rr against nginx + PHP-FPM on the shared benchmark apps. Needs ../shared/bench/setup.sh once
#   (nginx, php-fpm, wrk, the Symfony packages) and a built rr (pnpm build). Prints compare.sh's
#   rounds and medians, then rr's peak RSS while wrk ran.
#   --profile: no FPM; one wrk run against rr under `node --cpu-prof`, then the top self-time
#   functions (bench/http/profile.mjs). The .cpuprofile is kept in $TMPDIR (open it in Chrome DevTools).
# Env: RR_BENCH_PORT (default 18080) plus compare.sh's ROUNDS THREADS CONNS DURATION WARMUP
# FPM_CHILDREN FPM_PORT.
set -euo pipefail
APP="${1:-hello}"
PROFILE="${2:-}"
case "$APP" in hello|framework) ;; *) echo "usage: $0 [hello|framework] [--profile]" >&2; exit 2 ;; esac
case "$PROFILE" in ""|--profile) ;; *) echo "usage: $0 [hello|framework] [--profile]" >&2; exit 2 ;; esac

ROOT="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
SHARED="$ROOT/../shared/bench"
[[ -x "$SHARED/compare.sh" ]] || { echo "run.sh: $SHARED/compare.sh not found" >&2; exit 1; }
command -v wrk >/dev/null || { echo "run.sh: wrk is missing: run $SHARED/setup.sh first" >&2; exit 1; }
[[ -f "$ROOT/packages/cli/dist/main.js" ]] || (cd "$ROOT" && pnpm build)

PORT="${RR_BENCH_PORT:-18080}"
export RR_BENCH_APPS="$SHARED/apps"
# The framework app needs its container cache (fpm.sh rebuilds it before every FPM round too).
[[ "$APP" != framework ]] || php "$SHARED/apps/framework/bin/warmup.php" >/dev/null

# rr is started by compare.sh; a tiny exec wrapper records its pid so RSS can be sampled.
RUN="$(mktemp -d "${TMPDIR:-/tmp}/rr-bench-http.XXXXXX")"
SAMPLER=""; RR_PID=""
finish() {
  [[ -z "$SAMPLER" ]] || kill "$SAMPLER" 2>/dev/null || true
  [[ -z "$RR_PID" ]] || kill -TERM "$RR_PID" 2>/dev/null || true
  rm -rf "$RUN"
}
trap finish EXIT INT TERM

# Peak RSS (MB) of the rr node process and of its PHP workers, sampled every 0.2 s. Bash builtins
# reading /proc only: forking ps five times a second cost rr ~5 % of a core during its rounds.
(
  set +e   # a sample that fails (rr between rounds, no workers yet) must not end the sampler
  page_kb=$(( $(getconf PAGESIZE) / 1024 ))
  rss_kb() { local size rss _; RSS=0; read -r size rss _ 2>/dev/null < "/proc/$1/statm" || return 1; RSS=$(( rss * page_kb )); }
  exec {tick}<> <(:)   # read -t on it waits 0.2 s without forking sleep
  peak=0; peak_php=0
  while :; do
    if [[ -f "$RUN/rr.pid" ]]; then
      read -r pid < "$RUN/rr.pid"
      if rss_kb "$pid"; then
        (( RSS > peak )) && peak=$RSS
        php_rss=0
        kids=(); read -r -a kids 2>/dev/null < "/proc/$pid/task/$pid/children"
        for k in "${kids[@]}"; do rss_kb "$k" && php_rss=$(( php_rss + RSS )); done
        (( php_rss > peak_php )) && peak_php=$php_rss
        echo "$peak $peak_php" > "$RUN/peak"
      fi
    fi
    read -r -t 0.2 -u "$tick" _ || true
  done
) & SAMPLER=$!

if [[ "$PROFILE" == --profile ]]; then
  case "$APP" in hello) URL_PATH=/ ;; framework) URL_PATH=/api/products/7 ;; esac
  mkdir -p "$RUN/prof"
  node --cpu-prof --cpu-prof-dir="$RUN/prof" "$ROOT/packages/cli/dist/main.js" serve \
    -c "$ROOT/bench/http/$APP/.rr.yaml" -o "http.address=127.0.0.1:$PORT" > "$RUN/rr.log" 2>&1 & RR_PID=$!
  echo "$RR_PID" > "$RUN/rr.pid"
  for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT$URL_PATH" && break; sleep 0.1; done
  wrk -t"${THREADS:-2}" -c"${CONNS:-32}" -d"${DURATION:-10s}" --latency "http://127.0.0.1:$PORT$URL_PATH"
  kill -TERM "$RR_PID"; wait "$RR_PID" || true
  prof="$(ls "$RUN"/prof/*.cpuprofile | head -1)"
  keep="${TMPDIR:-/tmp}/rr-bench-http-$APP.cpuprofile"
  cp "$prof" "$keep"
  node "$ROOT/bench/http/profile.mjs" "$keep" 30
  echo "profile: $keep"
  exit 0
fi

"$SHARED/compare.sh" "$APP" "$PORT" -- \
  bash -c 'echo $$ > "$0"; exec node "$1/packages/cli/dist/main.js" serve -c "$1/bench/http/$2/.rr.yaml" -o "http.address=127.0.0.1:$3"' \
  "$RUN/rr.pid" "$ROOT" "$APP" "$PORT" && status=0 || status=$?

if [[ -f "$RUN/peak" ]]; then
  read -r peak peak_php < "$RUN/peak"
  awk -v n="$peak" -v p="$peak_php" 'BEGIN { printf "rr peak RSS: node %.1f MB, PHP workers %.1f MB (sum)\n", n/1024, p/1024 }'
fi
exit "$status"
