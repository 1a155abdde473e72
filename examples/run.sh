#!/usr/bin/env bash
# Runs rr on the example app (examples/hello): installs what it needs (PHP, pnpm, npm deps),
# builds, then serves http://127.0.0.1:8080 until Ctrl-C (a second Ctrl-C forces the exit).
# Extra arguments go to `rr serve`, e.g. ./examples/run.sh -o http.address=127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")/.."
./test/install-deps.sh
pnpm build

address=127.0.0.1:8080
for arg in "$@"; do
  case "$arg" in
    http.address=*|-ohttp.address=*|-o=http.address=*) address="${arg#*http.address=}" ;;
  esac
done
echo "rr: serving examples/hello on http://$address/ (Ctrl-C stops)"
exec node packages/cli/dist/main.js serve -c examples/hello/.rr.yaml "$@"
