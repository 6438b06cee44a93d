#!/usr/bin/env bash
# One line per server: state and address. Exits non-zero if either is down.
# Checks the ports, so it reports Docker-run servers as well.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rc=0

if tcp_open "${KAFKA_PORT}"; then
  if pid="$(kafka_our_pid)"; then
    who="pid ${pid}, started by kafka-up.sh, log ${KAFKA_LOG}"
  else
    who="not started by kafka-up.sh"
  fi
  echo "kafka     up    127.0.0.1:${KAFKA_PORT} (${who})"
else
  echo "kafka     down  127.0.0.1:${KAFKA_PORT}"
  rc=1
fi

if command -v pg_isready >/dev/null 2>&1; then
  pg_check() { pg_isready -q -h "${DB_HOST}" -p "${PGPORT}" -t 2; }
else
  pg_check() { tcp_open "${PGPORT}"; }
fi
if pg_check; then
  if grep -q '^yes ' "${PG_MARKER}" 2>/dev/null; then
    read -r _ ver name <"${PG_MARKER}"
    who="cluster ${ver}/${name}, started by postgres-up.sh"
  else
    who="not started by postgres-up.sh"
  fi
  echo "postgres  up    ${DB_HOST}:${PGPORT} db ${DB_NAME} user ${DB_USER} (${who})"
else
  echo "postgres  down  ${DB_HOST}:${PGPORT}"
  rc=1
fi

exit "${rc}"
