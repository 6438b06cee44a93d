#!/usr/bin/env bash
# Starts, beside Kafka and PostgreSQL, what ops look at on the laptop path: Prometheus (scraping the
# services, with infra/prometheus/rules loaded), Alertmanager (infra/alertmanager, posting to
# monitoring) and Jaeger (OTLP on 4317/4318, UI on 16686). Prometheus and Alertmanager come from
# Debian's packages (installed with apt-get when run as root); Jaeger is built once from the Go
# module proxy into the cache — in the background, at low priority, so the first start does not
# wait for it; it runs from the next start on. Never fatal: what cannot run is skipped with a
# message saying why. NEWSROOM_OBSERVABILITY=off skips it all. Arguments name the parts to start.
# Prints `OTEL_EXPORTER_OTLP_ENDPOINT=…` on stdout when Jaeger runs, for the services to export to.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "${NEWSROOM_OBSERVABILITY:-on}" != off ]] || { log "NEWSROOM_OBSERVABILITY=off: skipped"; exit 0; }

OBS_DIR="${STATE_DIR}/observability"
mkdir -p "${OBS_DIR}"
JAEGER_VERSION="1.76.0"
JAEGER_BIN="${CACHE_DIR}/jaeger-${JAEGER_VERSION}/jaeger"

# Runs "$@" in the background with its log and pid under OBS_DIR, unless its pid file names a live
# process of that program already (its command line checked: a pid may have been reused).
start_daemon() {
  local name=$1
  shift
  if observability_pid "${name}" >/dev/null; then
    log "${name} already running (pid $(observability_pid "${name}"))"
    return 0
  fi
  nohup "$@" >>"${OBS_DIR}/${name}.log" 2>&1 9>&- &
  echo $! >"${OBS_DIR}/${name}.pid"
}

# Waits until http://127.0.0.1:$2$3 answers, or says why not (never fails the caller).
wait_ready() {
  local name=$1 port=$2 path=$3 deadline=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:${port}${path}" >/dev/null 2>&1; do
    if ! observability_pid "${name}" >/dev/null; then
      log "${name} exited during start-up: $(tail -3 "${OBS_DIR}/${name}.log" | tr '\n' ' ')"
      return 1
    fi
    ((SECONDS < deadline)) || { log "${name} not ready after 60 s (log: ${OBS_DIR}/${name}.log)"; return 1; }
    sleep 0.5
  done
}

install_debian_packages() {
  local missing=()
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
  ((${#missing[@]})) || return 0
  if ((EUID != 0)) || ! command -v apt-get >/dev/null 2>&1; then
    log "${missing[*]} not installed (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}): skipped"
    return 0
  fi
  log "installing ${missing[*]} with apt-get (one-off)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 ||
    log "apt-get could not install ${missing[*]}: skipped"
  # Debian starts the packages' own services where systemd runs: Prometheus without these rules on
  # 9090, and Alertmanager on 9093, Kafka's controller port here. Newsroom runs its own.
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
  fi
}

start_prometheus() {
  command -v prometheus >/dev/null 2>&1 || return 0
  if tcp_open 9090 && [[ ! -f "${OBS_DIR}/prometheus.pid" ]]; then
    log "something already listens on 9090: Prometheus not started"
    return 0
  fi
  start_daemon prometheus prometheus --config.file="${INFRA_DIR}/prometheus.yml" \
    --storage.tsdb.path="${OBS_DIR}/prometheus-data" --storage.tsdb.retention.time=7d \
    --web.listen-address=127.0.0.1:9090
  wait_ready prometheus 9090 /-/ready && log "Prometheus on http://localhost:9090 (rules: infra/prometheus/rules)" || true
}

start_alertmanager() {
  command -v prometheus-alertmanager >/dev/null 2>&1 || return 0
  if tcp_open 9095 && [[ ! -f "${OBS_DIR}/alertmanager.pid" ]]; then
    log "something already listens on 9095: Alertmanager not started"
    return 0
  fi
  # The repository's routes and receivers, with monitoring on localhost.
  sed 's#http://monitoring:3008/#http://127.0.0.1:3008/#' "${REPO_ROOT}/infra/alertmanager/alertmanager.yml" \
    >"${OBS_DIR}/alertmanager.yml"
  start_daemon alertmanager prometheus-alertmanager --config.file="${OBS_DIR}/alertmanager.yml" \
    --storage.path="${OBS_DIR}/alertmanager-data" --web.listen-address=127.0.0.1:9095 --cluster.listen-address=
  wait_ready alertmanager 9095 /-/ready && log "Alertmanager on http://localhost:9095" || true
}

# Jaeger's module cannot be `go install`ed (replace directives): build it from a scratch module.
build_jaeger_in_background() {
  local build_dir="${CACHE_DIR}/jaeger-build"
  if observability_pid jaeger-build >/dev/null; then
    log "Jaeger ${JAEGER_VERSION} is still being built (log: ${OBS_DIR}/jaeger-build.log)"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { log "Go not installed: Jaeger skipped (traces stay in the services)"; return 0; }
  mkdir -p "${build_dir}" "$(dirname "${JAEGER_BIN}")"
  log "building Jaeger ${JAEGER_VERSION} in the background (about 5 min, once; log: ${OBS_DIR}/jaeger-build.log); it runs from the next start"
  (
    cd "${build_dir}" &&
      { [[ -f go.mod ]] || go mod init newsroom-jaeger-build; } &&
      go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@v${JAEGER_VERSION}" &&
      go build -o "${JAEGER_BIN}.partial" github.com/jaegertracing/jaeger/cmd/jaeger &&
      mv "${JAEGER_BIN}.partial" "${JAEGER_BIN}"
  ) >>"${OBS_DIR}/jaeger-build.log" 2>&1 9>&- </dev/null &
  echo $! >"${OBS_DIR}/jaeger-build.pid"
  renice -n 19 -p "$(cat "${OBS_DIR}/jaeger-build.pid")" >/dev/null 2>&1 || true
}

start_jaeger() {
  if [[ ! -x "${JAEGER_BIN}" ]]; then
    build_jaeger_in_background
    return 0
  fi
  if tcp_open 4318 && [[ ! -f "${OBS_DIR}/jaeger.pid" ]]; then
    log "something already listens on 4318: taken for an OTLP collector"
    echo "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"
    return 0
  fi
  start_daemon jaeger "${JAEGER_BIN}"
  if wait_ready jaeger 16686 /; then
    log "Jaeger on http://localhost:16686 (OTLP on 4317/4318)"
    echo "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"
  fi
}

# What to start (all by default): `npm start` starts Jaeger before the services (they export to
# it from their start) and Prometheus and Alertmanager once they are ready, so that a start-up
# does not page for targets not up yet.
parts=("${@:-jaeger prometheus alertmanager}")
read -r -a parts <<<"${parts[*]}"
for part in "${parts[@]}"; do
  case "${part}" in
    jaeger) start_jaeger ;;
    prometheus) install_debian_packages && start_prometheus ;;
    alertmanager) install_debian_packages && start_alertmanager ;;
    *) log "unknown part ${part} (jaeger, prometheus, alertmanager)" ;;
  esac
done
