#!/usr/bin/env bash
# `npm run demo`: starts the platform (as `npm start`), then runs the whole life cycle on the pilot
# world and shows the result. The platform stays up afterwards; `--exit` stops it when done.
set -euo pipefail
source "$(dirname "$0")/services.sh"
cd "$ROOT"

exit_when_done=false
args=()
for arg in "$@"; do
  if [[ "$arg" == "--exit" ]]; then exit_when_done=true; else args+=("$arg"); fi
done
if $exit_when_done; then trap 'bash tools/platform/stop.sh' EXIT; fi

started=$(date +%s)
started_ms=$(node -e 'console.log(Date.now())')
# The demo takes its own snapshot and trains once: no push while it loads a week of events at once
# (the nightly schedule and drift retraining stay on).
DATASET_PUSH_EVERY_INTERACTIONS="${DATASET_PUSH_EVERY_INTERACTIONS-0}" \
  DATASET_PUSH_EVERY_ARTICLES="${DATASET_PUSH_EVERY_ARTICLES-0}" \
  bash tools/platform/start.sh
npx nx build demo --outputStyle=static >"$LOG_DIR/demo-build.log" 2>&1 ||
  { tail -40 "$LOG_DIR/demo-build.log"; exit 1; }
ARTIFACT_STORE_DIR="${ARTIFACT_STORE_DIR:-$STATE_DIR/artifacts}" \
  TRAINING_ADMIN_KEY="${TRAINING_ADMIN_KEY:-demo-training-admin-key-change-me}" \
  FEATURES_ADMIN_KEY="${FEATURES_ADMIN_KEY:-demo-feature-admin-key-change-me}" \
  DEMO_STARTED_AT_MS="$started_ms" \
  node dist/tools/demo/main.js "${args[@]}"
echo "npm run demo: $(($(date +%s) - started)) s in all, platform start included."
