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
# Native TensorFlow for training, evaluation and scoring where this machine can have it (else WASM).
bash tools/native-tf/install.sh
# libtensorflow reads this at its load from the process environment (not a worker's process.env).
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
# Jaeger first, for the services to export their traces to when it runs; Prometheus and
# Alertmanager once they are ready (NEWSROOM_OBSERVABILITY=off skips all three).
otlp=$( (bash infra/local/observability-up.sh jaeger || true) | sed -n "s/^OTEL_EXPORTER_OTLP_ENDPOINT=//p")
[[ -z "$otlp" ]] || export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-$otlp}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export DATABASE_URL="${DATABASE_URL:-postgres://newsroom:newsroom@127.0.0.1:5432/newsroom}"
# One artifact store (datasets, model weights) shared by every service, as a volume would be.
export ARTIFACT_STORE_DIR="${ARTIFACT_STORE_DIR:-$STATE_DIR/artifacts}"
# Laptop example keys (as in docker-compose.yml), stored as their SHA-256: each entry's key is
# the demo-…-key-change-me the README shows. Replace them for anything shared
# (`npm run keys -- new <name>` makes a key and its entry).
export INGESTION_API_KEYS="${INGESTION_API_KEYS:-demo:sha256:9a880c4aa4cedde379e40db3c3363db20624c5ff57593ed7fca8316c44d39776}"
# Moderators flag articles: each flag is a takedown, whose receipt monitoring shows to auditors.
export INGESTION_MODERATOR_API_KEYS="${INGESTION_MODERATOR_API_KEYS:-moderator:sha256:8bbbcbffbf221bdb81d117cd2da75fde66ef6fb74e37439f7cc979f687cd8236}"
export FEATURES_ADMIN_API_KEYS="${FEATURES_ADMIN_API_KEYS:-demo:sha256:75f95b63df5f5511bde898a7edb113f0e1f2e48a6b91974e29154263bc2357e1}"
# A reader's features and explained lists are personal data: reader keys read them.
export FEATURES_READER_API_KEYS="${FEATURES_READER_API_KEYS:-reader:sha256:704d0c11fdd1b8ce4a3b466fbc7bfd3f9f18265f20d05d2a3d0e713fa196e14f}"
export TRAINING_ADMIN_API_KEYS="${TRAINING_ADMIN_API_KEYS:-demo:sha256:e6d15217ddec1f59584a0ae37035477559706eb9503f104fb85ccb92b3a0e37a}"
export REGISTRY_ADMIN_API_KEYS="${REGISTRY_ADMIN_API_KEYS:-demo:sha256:76bb043c448522f845876b2c9f026a8c20697451d6789f486ba66f33b9fa9990}"
# Editors pin articles in serving; plain lists stay open on the laptop.
export SERVING_MODERATOR_API_KEYS="${SERVING_MODERATOR_API_KEYS:-editor:sha256:3494245c660a14d94844eddede8d9b092c4907aa0c1df0382752fa21df0bb5e0}"
export SERVING_API_KEYS="${SERVING_API_KEYS:-reader:sha256:704d0c11fdd1b8ce4a3b466fbc7bfd3f9f18265f20d05d2a3d0e713fa196e14f}"
export SERVING_OPEN_LISTS="${SERVING_OPEN_LISTS:-true}"
# Auditors read the "why shown" trail and takedown receipts; admins also export and erase a reader's data.
export MONITORING_AUDITOR_API_KEYS="${MONITORING_AUDITOR_API_KEYS:-auditor:sha256:b524896b67da347c49184158ace504ef6b310a69357289c2f49fe543ed0781c2}"
export MONITORING_ADMIN_API_KEYS="${MONITORING_ADMIN_API_KEYS:-demo:sha256:d421f109a4b3628552391183060e65a411720361deeb71dad8c73f3b1b4b9d2a}"
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
