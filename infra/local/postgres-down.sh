#!/usr/bin/env bash
# Stops the PostgreSQL cluster only if postgres-up.sh started it (see
# $NEWSROOM_STATE_DIR/postgres.started-by-us); a server that was already
# running, e.g. a developer's own, is left alone. Idempotent.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

marker=""
[[ -f "${PG_MARKER}" ]] && marker="$(cat "${PG_MARKER}")"
read -r ours ver name _ <<<"${marker:-no}" || true

if [[ "${ours}" != yes || -z "${ver:-}" || -z "${name:-}" ]]; then
  log "PostgreSQL was not started by postgres-up.sh; leaving it alone"
  exit 0
fi

status="$(pg_lsclusters -h 2>/dev/null | awk -v v="${ver}" -v n="${name}" '$1 == v && $2 == n { print $4 }')"
if [[ "${status}" == online* ]]; then
  log "stopping PostgreSQL cluster ${ver}/${name}"
  # fast: disconnect clients instead of waiting for them (smart mode's default).
  pg_ctlcluster "${ver}" "${name}" stop -m fast >&2
else
  log "PostgreSQL cluster ${ver}/${name} is not running"
fi
rm -f "${PG_MARKER}"
