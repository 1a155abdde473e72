#!/usr/bin/env bash
# Runs rr on the bundled example app: installs what it needs (PHP, pnpm, npm deps), builds, serves.
# Stop it with Ctrl-C (a second Ctrl-C forces the exit).
set -euo pipefail
cd "$(dirname "$0")/.."
./test/install-deps.sh
pnpm build
exec node packages/cli/dist/main.js serve -c examples/app/.rr.yaml "$@"
