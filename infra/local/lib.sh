# shellcheck shell=bash
# Shared settings and helpers for the infra/local scripts. Sourced, not run.
# The variables are used by the scripts that source this file:
# shellcheck disable=SC2034

# Paths are derived from this file's location so the scripts work from any cwd.
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${INFRA_DIR}/../.." && pwd)"
STATE_DIR="${NEWSROOM_STATE_DIR:-${REPO_ROOT}/.local}"
CACHE_DIR="${NEWSROOM_CACHE_DIR:-${HOME}/.cache/newsroom}"

KAFKA_VERSION="3.9.2" # keep in sync with kafka.version in kafka/pom.xml
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_STATE_DIR="${STATE_DIR}/kafka"
KAFKA_LIBS="${CACHE_DIR}/kafka-${KAFKA_VERSION}/libs"
KAFKA_PID_FILE="${KAFKA_STATE_DIR}/kafka.pid"
KAFKA_LOG="${KAFKA_STATE_DIR}/kafka.log"

PGPORT="${PGPORT:-5432}"
DB_HOST="127.0.0.1"
DB_USER="${NEWSROOM_DB_USER:-newsroom}"
DB_PASSWORD="${NEWSROOM_DB_PASSWORD:-newsroom}"
DB_NAME="${NEWSROOM_DB_NAME:-newsroom}"
PG_MARKER="${STATE_DIR}/postgres.started-by-us"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    printf '%s\n' "${JAVA_HOME}/bin/java"
  else
    command -v java || die "java not found (Kafka ${KAFKA_VERSION} needs Java 11+; Java 17 recommended)"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1 (bash /dev/tcp,
# so no nc/ss dependency).
tcp_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Prints the pid of the broker kafka-up.sh started, if it is still alive.
# The command line is checked so a recycled pid is never mistaken for ours.
kafka_our_pid() {
  local pid
  [[ -f "${KAFKA_PID_FILE}" ]] || return 1
  pid="$(cat "${KAFKA_PID_FILE}")"
  [[ "${pid}" =~ ^[0-9]+$ && -r "/proc/${pid}/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -q "kafka.Kafka ${KAFKA_STATE_DIR}/server.properties" || return 1
  printf '%s\n' "${pid}"
}

docker_mode() {
  [[ "${NEWSROOM_INFRA:-local}" == docker ]] || return 1
  if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
    log "NEWSROOM_INFRA=docker but no usable Docker engine; using local servers"
    return 1
  fi
}

print_connection_settings() {
  printf 'KAFKA_BROKERS=127.0.0.1:%s\n' "${KAFKA_PORT}"
  printf 'DATABASE_URL=postgres://%s:%s@%s:%s/%s\n' "${DB_USER}" "${DB_PASSWORD}" "${DB_HOST}" "${PGPORT}" "${DB_NAME}"
}

# Prints the pid of what observability-up.sh started as $1 (prometheus, alertmanager, jaeger,
# jaeger-build), if it is still alive: its command line is checked, so a recycled pid is never
# mistaken for it.
observability_pid() {
  local pid_file="${STATE_DIR}/observability/$1.pid" pid expected
  [[ -f "${pid_file}" ]] || return 1
  pid="$(cat "${pid_file}")"
  [[ "${pid}" =~ ^[0-9]+$ && -r "/proc/${pid}/cmdline" ]] || return 1
  case "$1" in
    prometheus) expected="prometheus --config.file=${INFRA_DIR}/prometheus.yml" ;;
    alertmanager) expected="prometheus-alertmanager --config.file=${STATE_DIR}/observability/alertmanager.yml" ;;
    jaeger) expected="jaeger-" ;;
    jaeger-build) expected="bash" ;;
    *) return 1 ;;
  esac
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -qF -- "${expected}" || return 1
  printf '%s\n' "${pid}"
}
