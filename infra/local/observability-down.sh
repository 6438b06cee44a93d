#!/usr/bin/env bash
# Stops what observability-up.sh started (Prometheus, Alertmanager, Jaeger, a Jaeger build).
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OBS_DIR="${STATE_DIR}/observability"
for name in jaeger alertmanager prometheus jaeger-build; do
  pid_file="${OBS_DIR}/${name}.pid"
  [[ -f "${pid_file}" ]] || continue
  if pid=$(observability_pid "${name}"); then
    # The build is a subshell: its go processes are its children.
    [[ "${name}" == jaeger-build ]] && pkill -TERM -P "${pid}" 2>/dev/null || true
    kill -TERM "${pid}" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    kill -0 "${pid}" 2>/dev/null && kill -KILL "${pid}" 2>/dev/null || true
    log "${name} stopped"
  fi
  rm -f "${pid_file}"
done
