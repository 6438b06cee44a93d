#!/usr/bin/env bash
# Stops what up.sh (and observability-up.sh) started. Arguments (e.g. --wipe) go to kafka-down.sh.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if docker_mode; then
  (cd "${REPO_ROOT}" && docker compose stop kafka postgres)
else
  # Try both even if the first fails, but report failure.
  rc=0
  "${INFRA_DIR}/observability-down.sh" || rc=$?
  "${INFRA_DIR}/kafka-down.sh" "$@" || rc=$?
  "${INFRA_DIR}/postgres-down.sh" || rc=$?
  exit "${rc}"
fi
