#!/usr/bin/env bash
# Makes a PostgreSQL server answer on 127.0.0.1:$PGPORT with the app's role
# and database, without Docker. Idempotent. In order:
#   a) a server already accepts connections there -> use it;
#   b) a Debian cluster exists for that port -> start it;
#   c) root and no server -> apt-get install postgresql, start its cluster.
# Whether this script started the server is recorded in
# $NEWSROOM_STATE_DIR/postgres.started-by-us so postgres-down.sh stops only that.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT="${PG_START_TIMEOUT:-60}"
IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "${DB_HOST}" -p "${PGPORT}" -t 2
  else
    tcp_open "${PGPORT}"
  fi
}

# Prints "<version> <name> <status> <owner>" of the Debian cluster on $PGPORT.
cluster_on_port() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  pg_lsclusters -h 2>/dev/null | awk -v port="${PGPORT}" \
    '$3 == port { print $1, $2, $4, $5; found = 1; exit } END { exit !found }'
}

newest_installed_version() {
  local d
  d="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "${d}" ]] || return 1
  basename "$(dirname "$(dirname "${d}")")"
}

install_postgres() {
  ((IS_ROOT)) || die "no PostgreSQL server on 127.0.0.1:${PGPORT} and none installed.
  Install one (Debian/Ubuntu: sudo apt-get install -y postgresql) and re-run,
  or start any PostgreSQL on that port (PGPORT=...), or use NEWSROOM_INFRA=docker."
  log "PostgreSQL not installed; installing it with apt-get (one-off)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

start_cluster() {
  local ver="$1" name="$2" owner="$3"
  log "starting PostgreSQL cluster ${ver}/${name} on port ${PGPORT}"
  # Record first: if the wait below fails, postgres-down.sh can still stop it.
  printf 'yes %s %s\n' "${ver}" "${name}" >"${PG_MARKER}"
  if ((IS_ROOT)) || [[ "$(id -un)" == "${owner}" ]]; then
    pg_ctlcluster "${ver}" "${name}" start >&2 ||
      die "pg_ctlcluster ${ver} ${name} start failed; see /var/log/postgresql/postgresql-${ver}-${name}.log"
  else
    rm -f "${PG_MARKER}"
    die "cluster ${ver}/${name} is down and owned by ${owner}; run: sudo pg_ctlcluster ${ver} ${name} start"
  fi
}

ensure_server() {
  local info ver name status owner
  if pg_ready; then
    # Keep an earlier "yes" from our own start (a re-run must not forget it).
    if [[ ! -f "${PG_MARKER}" ]] || ! grep -q '^yes ' "${PG_MARKER}"; then
      echo no >"${PG_MARKER}"
    fi
    log "PostgreSQL already accepts connections on ${DB_HOST}:${PGPORT}"
    return 0
  fi
  if ! info="$(cluster_on_port)"; then
    if ! newest_installed_version >/dev/null; then
      install_postgres
    fi
    # The package's postinst creates "main" on 5432 (or the next free port).
    if ! info="$(cluster_on_port)"; then
      ((IS_ROOT)) || die "no PostgreSQL cluster for port ${PGPORT}; create one: sudo pg_createcluster <version> newsroom -p ${PGPORT}"
      ver="$(newest_installed_version)" || die "PostgreSQL server binaries not found after install"
      log "creating PostgreSQL cluster ${ver}/newsroom on port ${PGPORT}"
      pg_createcluster "${ver}" newsroom -p "${PGPORT}" >&2
      info="$(cluster_on_port)" || die "pg_createcluster did not create a cluster on port ${PGPORT}"
    fi
  fi
  read -r ver name status owner <<<"${info}"
  if [[ "${status}" == online* ]]; then
    # Online but not answering yet (e.g. apt's postinst just started it):
    # we brought it up, so it is ours to stop.
    printf 'yes %s %s\n' "${ver}" "${name}" >"${PG_MARKER}"
  else
    start_cluster "${ver}" "${name}" "${owner}"
  fi
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until pg_ready; do
    ((SECONDS < deadline)) || die "PostgreSQL not ready on ${DB_HOST}:${PGPORT} after ${START_TIMEOUT}s (logs: /var/log/postgresql/)"
    sleep 0.5
  done
  log "PostgreSQL is ready on ${DB_HOST}:${PGPORT}"
}

# psql as a superuser: the postgres OS user over the local socket when we are
# root (Debian's peer auth), else PGUSER/PGPASSWORD from the caller over TCP.
ADMIN_MODE=""
admin_psql() {
  case "${ADMIN_MODE}" in
    peer)
      (cd / && runuser -u postgres -- env -u PGUSER -u PGPASSWORD -u PGHOST -u PGDATABASE \
        psql -X -q -p "${PGPORT}" -d postgres -v ON_ERROR_STOP=1 "$@")
      ;;
    env)
      psql -X -q -h "${DB_HOST}" -p "${PGPORT}" -d "${PGDATABASE:-postgres}" -v ON_ERROR_STOP=1 "$@"
      ;;
    *) return 1 ;;
  esac
}

pick_admin_mode() {
  if ((IS_ROOT)) && id postgres >/dev/null 2>&1; then
    ADMIN_MODE="peer"
    admin_psql -Atc 'select 1' >/dev/null 2>&1 && return 0
  fi
  if [[ -n "${PGUSER:-}" && "${PGUSER}" != "${DB_USER}" ]]; then
    ADMIN_MODE="env"
    admin_psql -Atc 'select 1' >/dev/null 2>&1 && return 0
  fi
  ADMIN_MODE=""
  return 1
}

app_login_works() {
  PGPASSWORD="${DB_PASSWORD}" PGCONNECT_TIMEOUT=5 psql -X -q -w -h "${DB_HOST}" -p "${PGPORT}" \
    -U "${DB_USER}" -d "${DB_NAME}" -Atc 'select 1' >/dev/null 2>&1
}

provision() {
  # format(%I/%L) quotes names and the password, so any value is safe.
  admin_psql -v user="${DB_USER}" -v password="${DB_PASSWORD}" -v db="${DB_NAME}" <<'SQL'
SELECT format('CREATE ROLE %I', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'user', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'user') \gexec
SQL
}

# Debian's pg_hba allows scram over 127.0.0.1; other setups may not. Add a
# rule for our role only when the login really fails and we can fix it.
fix_hba() {
  local hba rule content
  [[ "${ADMIN_MODE}" == peer ]] || return 1
  hba="$(admin_psql -Atc 'show hba_file')" || return 1
  [[ -w "${hba}" && "${DB_USER}" != *'"'* ]] || return 1
  log "password login over TCP failed; adding a rule for ${DB_USER} to ${hba}"
  # Prepended (first match wins). md5 also accepts scram-stored passwords.
  # Rewritten in place with cat so the file keeps its owner and mode.
  rule="host all \"${DB_USER}\" 127.0.0.1/32 md5 # added by newsroom infra/local/postgres-up.sh"
  content="$(cat "${hba}")"
  printf '%s\n%s\n' "${rule}" "${content}" >"${hba}"
  admin_psql -Atc 'select pg_reload_conf()' >/dev/null
}

# --- main -------------------------------------------------------------------
mkdir -p "${STATE_DIR}"
ensure_server
wait_until_ready

# A server we did not install (e.g. Docker) may leave us without the client.
if ! command -v psql >/dev/null 2>&1; then
  ((IS_ROOT)) || die "psql not found; install the PostgreSQL client (Debian/Ubuntu: sudo apt-get install -y postgresql-client)"
  log "psql not found; installing postgresql-client with apt-get (one-off)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >&2
fi

if pick_admin_mode; then
  provision
elif app_login_works; then
  log "no superuser access (run as root, or set PGUSER/PGPASSWORD); ${DB_USER}@${DB_NAME} already works, leaving it as is"
else
  die "cannot create role ${DB_USER} / database ${DB_NAME}: run as root, or set PGUSER/PGPASSWORD to a superuser"
fi

if ! app_login_works; then
  fix_hba || true
  app_login_works || die "password login as ${DB_USER} to ${DB_HOST}:${PGPORT}/${DB_NAME} fails; check pg_hba.conf"
fi
log "PostgreSQL ready: ${DB_USER}@${DB_HOST}:${PGPORT}/${DB_NAME}"
