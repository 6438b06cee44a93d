#!/usr/bin/env bash
# Brings up Kafka and PostgreSQL for local development and tests, then prints
# the connection settings. Local servers by default; NEWSROOM_INFRA=docker
# uses the repo's docker compose file instead (when a Docker engine answers).
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Test runs of several projects may call this at once: one at a time, the others then find the
# servers up.
mkdir -p "${STATE_DIR}"
exec 9>"${STATE_DIR}/up.lock"
flock 9

if docker_mode; then
  (cd "${REPO_ROOT}" && docker compose up -d --wait kafka postgres)
else
  # Sequential on purpose: two JVM/apt-heavy starts at once fight over 2 cores.
  # The servers must not inherit the lock (fd 9): a daemon holding it would block every later run.
  "${INFRA_DIR}/postgres-up.sh" 9>&-
  "${INFRA_DIR}/kafka-up.sh" 9>&-
fi
print_connection_settings
