#!/usr/bin/env bash
# The integration tests talk to a real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
# Start them when they are installed but not running; say clearly what is missing otherwise.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
if ! port_open 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
  fi
fi
for _ in $(seq 1 20); do
  if port_open 5432 && port_open 6379; then
    echo "PostgreSQL and Redis are reachable on loopback."
    exit 0
  fi
  sleep 0.5
done
port_open 5432 || echo "error: PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_POSTGRES_URL or install postgresql)." >&2
port_open 6379 || echo "error: Redis is not reachable on 127.0.0.1:6379 (set TEST_REDIS_URL or install redis-server)." >&2
exit 1
