# The services and their ports, in start order; sourced by start.sh and stop.sh.
# shellcheck disable=SC2034
SERVICES=(ingestion feature-store training evaluation registry batch-scoring serving monitoring)
declare -A SERVICE_PORTS=(
  [ingestion]=3001 [feature-store]=3002 [training]=3003 [evaluation]=3004
  [registry]=3005 [batch-scoring]=3006 [serving]=3007 [monitoring]=3008
)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${NEWSROOM_STATE_DIR:-$ROOT/.local}"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"

# True when the pid file names a live process of that service (not a reused pid).
service_running() {
  local pid_file="$RUN_DIR/$1.pid" pid
  [[ -f "$pid_file" ]] || return 1
  pid=$(cat "$pid_file")
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "dist/services/$1/main.js"
}
