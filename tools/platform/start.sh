#!/usr/bin/env bash
# Starts the whole platform on this machine: Kafka and PostgreSQL (infra/local), the topics, and
# the eight services as background processes, then waits until every one reports ready.
# Idempotent: what is already running is left alone. `npm stop` stops it all.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$ROOT"
mkdir -p "$RUN_DIR" "$LOG_DIR"

started=$(date +%s)
bash infra/local/up.sh
# Jaeger first, for the services to export their traces to when it runs; Prometheus and
# Alertmanager once they are ready (NEWSROOM_OBSERVABILITY=off skips all three).
otlp=$( (bash infra/local/observability-up.sh jaeger || true) | sed -n "s/^OTEL_EXPORTER_OTLP_ENDPOINT=//p")
[[ -z "$otlp" ]] || export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-$otlp}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export DATABASE_URL="${DATABASE_URL:-postgres://newsroom:newsroom@127.0.0.1:5432/newsroom}"
# One artifact store (datasets, model weights) shared by every service, as a volume would be.
export ARTIFACT_STORE_DIR="${ARTIFACT_STORE_DIR:-$STATE_DIR/artifacts}"
# Laptop example keys (as in docker-compose.yml): replace them for anything shared.
export INGESTION_API_KEYS="${INGESTION_API_KEYS:-demo:demo-producer-key-change-me}"
# Moderators flag articles: each flag is a takedown, whose receipt monitoring shows to auditors.
export INGESTION_ADMIN_API_KEYS="${INGESTION_ADMIN_API_KEYS:-moderator:demo-moderator-key-change-me}"
export FEATURES_ADMIN_API_KEYS="${FEATURES_ADMIN_API_KEYS:-demo:demo-feature-admin-key-change-me}"
export TRAINING_ADMIN_API_KEYS="${TRAINING_ADMIN_API_KEYS:-demo:demo-training-admin-key-change-me}"
export REGISTRY_ADMIN_API_KEYS="${REGISTRY_ADMIN_API_KEYS:-demo:demo-registry-admin-key-change-me}"
# Editors pin articles in serving.
export SERVING_ADMIN_API_KEYS="${SERVING_ADMIN_API_KEYS:-editor:demo-editor-key-change-me}"
# Auditors read the "why shown" trail and takedown receipts; admins also export and erase a reader's data.
export MONITORING_AUDITOR_API_KEYS="${MONITORING_AUDITOR_API_KEYS:-auditor:demo-auditor-key-change-me}"
export MONITORING_ADMIN_API_KEYS="${MONITORING_ADMIN_API_KEYS:-demo:demo-monitoring-admin-key-change-me}"
# Unattended retraining (as in docker-compose.yml and k8s): a nightly scheduled pull, and a snapshot
# pushed after every 500,000 new interactions or 50,000 new articles, each trained on; monitoring's
# drift alerts start runs too. Set a variable to an empty value (or 0) to turn its policy off.
export TRAINING_SCHEDULE_CRON="${TRAINING_SCHEDULE_CRON-30 2 * * *}"
export DATASET_PUSH_EVERY_INTERACTIONS="${DATASET_PUSH_EVERY_INTERACTIONS-500000}"
export DATASET_PUSH_EVERY_ARTICLES="${DATASET_PUSH_EVERY_ARTICLES-50000}"

echo "Building the services…"
npx nx run-many -t build --projects=tag:type:service,ops --outputStyle=static >"$LOG_DIR/build.log" 2>&1 ||
  { tail -40 "$LOG_DIR/build.log"; echo "build failed (full log: $LOG_DIR/build.log)" >&2; exit 1; }

node dist/tools/ops/main.js topics create

for name in "${SERVICES[@]}"; do
  pid_file="$RUN_DIR/$name.pid"
  if service_running "$name"; then
    echo "$name already running (pid $(cat "$pid_file"))"
    continue
  fi
  PORT="${SERVICE_PORTS[$name]}" nohup node "dist/services/$name/main.js" >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$pid_file"
done

deadline=$((SECONDS + 120))
for name in "${SERVICES[@]}"; do
  port="${SERVICE_PORTS[$name]}"
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if ! service_running "$name"; then
      tail -20 "$LOG_DIR/$name.log" >&2
      echo "$name exited during start-up (log: $LOG_DIR/$name.log)" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      tail -20 "$LOG_DIR/$name.log" >&2
      echo "$name not ready after 120 s (log: $LOG_DIR/$name.log)" >&2
      exit 1
    fi
    sleep 0.5
  done
done

bash infra/local/observability-up.sh prometheus alertmanager || true

echo
echo "Newsroom is up ($(($(date +%s) - started)) s). Every service reports ready:"
printf '  %-14s %-36s %-28s %s\n' service health docs metrics
for name in "${SERVICES[@]}"; do
  base="http://localhost:${SERVICE_PORTS[$name]}"
  printf '  %-14s %-36s %-28s %s\n' "$name" "$base/health/ready" "$base/docs" "$base/metrics"
done
echo "Status page: http://localhost:3008/"
obs="$STATE_DIR/observability"
alive() { (source infra/local/lib.sh && observability_pid "$1" >/dev/null); }
! alive prometheus || echo "Prometheus:  http://localhost:9090 (alerts: http://localhost:9090/alerts)"
! alive alertmanager || echo "Alertmanager: http://localhost:9095"
! alive jaeger || echo "Jaeger:      http://localhost:16686"
! alive jaeger-build || echo "Jaeger:      being built in the background (log: $obs/jaeger-build.log); it starts with the next npm start"
echo "Logs: $LOG_DIR   Stop everything: npm stop"
