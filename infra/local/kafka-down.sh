#!/usr/bin/env bash
# Stops the broker that kafka-up.sh started (and only that one). Idempotent.
# --wipe (or KAFKA_WIPE=1) also deletes its data, config and logs.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
wipe="${KAFKA_WIPE:-0}"
for arg in "$@"; do
  case "${arg}" in
    --wipe) wipe=1 ;;
    -h | --help)
      echo "usage: $0 [--wipe]"
      exit 0
      ;;
    *) die "unknown argument: ${arg} (usage: $0 [--wipe])" ;;
  esac
done

if pid="$(kafka_our_pid)"; then
  log "stopping Kafka (pid ${pid})"
  # SIGTERM lets the broker do a controlled shutdown and flush its logs.
  kill -TERM "${pid}" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "${pid}" 2>/dev/null; then
    log "Kafka did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    while kill -0 "${pid}" 2>/dev/null; do sleep 0.1; done
  fi
  log "Kafka stopped"
else
  log "Kafka (started by kafka-up.sh) is not running"
  if tcp_open "${KAFKA_PORT}"; then
    log "note: something not started by kafka-up.sh still listens on 127.0.0.1:${KAFKA_PORT}; left alone"
  fi
fi
rm -f "${KAFKA_PID_FILE}"

if [[ "${wipe}" == 1 ]]; then
  log "wiping ${KAFKA_STATE_DIR}"
  rm -rf "${KAFKA_STATE_DIR}"
fi
