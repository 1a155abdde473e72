#!/usr/bin/env bash
# Installs what rr's build and test suite need on a fresh Debian machine, idempotently:
# PHP (Debian packages), pnpm, the workspace's npm dependencies, and restarts any of the machine's
# services (Redis, RabbitMQ, NATS) that has stopped.
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

# The machine's services, started again with their documented commands if one has stopped.
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ensure_service() { # port name command…
  local port=$1 name=$2; shift 2
  answers "$port" && return 0
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "install-deps: $name is not answering on 127.0.0.1:$port and '$1' is not installed" >&2
    return 0
  fi
  echo "install-deps: starting $name ($*)"
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do answers "$port" && return 0; sleep 0.5; done
  echo "install-deps: $name still not answering on 127.0.0.1:$port" >&2
}
ensure_service 6379 Redis redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
ensure_service 5672 RabbitMQ rabbitmq-server -detached
ensure_service 4222 NATS start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
# jobs drivers: the beanstalk tests start Debian's beanstalkd, the kafka tests kcat's mock cluster
for pkg in beanstalkd kcat; do dpkg -s "$pkg" >/dev/null 2>&1 || { echo "install-deps: apt-get install beanstalkd kcat"; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq beanstalkd kcat >/dev/null; break; }; done
