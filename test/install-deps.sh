#!/usr/bin/env bash
# Installs what rr's build and test suite need on a fresh Debian machine, idempotently:
# PHP (Debian packages), pnpm, the workspace's npm dependencies, and any local service that is down.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in php-cli php-nyholm-psr7 php-psr-http-message php-psr-http-factory python3-prometheus-client; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
for pkg in memcached php-psr-simple-cache; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done  # kv/lock tests, rr PSR-16 cache
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "install-deps: npm install -g pnpm@9.15.9"
  npm install -g pnpm@9.15.9 >/dev/null 2>&1
fi

pnpm install --frozen-lockfile --reporter=silent
