#!/usr/bin/env bash
# Stops the services started by start.sh (SIGTERM to all at once: each shuts down gracefully),
# then Kafka and PostgreSQL unless --keep-infra is given.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$ROOT"

declare -A pids=()
for name in "${SERVICES[@]}"; do
  pid_file="$RUN_DIR/$name.pid"
  if service_running "$name"; then
    pid=$(cat "$pid_file")
    kill -TERM "$pid" 2>/dev/null && pids[$name]=$pid
  fi
  rm -f "$pid_file"
done

deadline=$((SECONDS + 15))
for name in "${!pids[@]}"; do
  pid=${pids[$name]}
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name did not stop within 15 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  else
    echo "$name stopped"
  fi
done

[[ "${1:-}" == "--keep-infra" ]] || bash infra/local/down.sh
