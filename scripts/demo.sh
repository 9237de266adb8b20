#!/usr/bin/env bash
# `make demo`: the local database, a stand-in for every outside service that .env / the environment
# does not configure, the browser subscription service (`jiit-assets serve`) on
# http://127.0.0.1:8105, then `dagster dev` on http://127.0.0.1:3000 in the foreground.
# Run history, schedule state and sensor cursors live in .dagster_home (git-ignored), so they
# survive a restart. Ctrl-C (or `make demo-stop` from another terminal) stops dagster and the
# stand-ins; the database keeps running until `make db-stop`.
#
#   bash scripts/demo.sh [start]   what `make demo` runs
#   bash scripts/demo.sh stop      what `make demo-stop` runs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# JIIT_RUN_DIR, JIIT_ENV_FILE, DAGSTER_HOME and JIIT_STANDIN_ARGS (e.g. --free-ports) let a test run
# a second, isolated demo; by default everything is in .run, .env and .dagster_home.
RUN=${JIIT_RUN_DIR:-$ROOT/.run}
ENV_FILE=${JIIT_ENV_FILE:-$ROOT/.env}
PY=$ROOT/.venv/bin/python
DAGSTER=$ROOT/.venv/bin/dagster
PORT=${DAGSTER_PORT:-3000}
SERVE_PORT=${SERVE_PORT:-8105}
mkdir -p "$RUN"

# Stop the process whose pid is in $RUN/NAME.pid: TERM, up to 10 s, then KILL.
stop_pidfile() {
  local what=$2 pidfile=$RUN/$1.pid
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
      echo "$what stopped"
    fi
    rm -f "$pidfile"
  fi
}

stop_serve() { stop_pidfile serve "subscription service"; }

stop_standins() {
  stop_pidfile standins "stand-ins"
  rm -f "$RUN/standins.env" "$RUN/standins.json"
}

if [ "${1:-start}" = stop ]; then
  # dagster dev is the demo script's foreground child: an interrupt makes it shut down its
  # webserver, daemon and code servers, then the script's exit trap stops the stand-ins.
  demo_pid=$(cat "$RUN/demo.pid" 2>/dev/null || true)
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    pkill -INT -P "$demo_pid" -f "dagster dev" || true
    for _ in $(seq 1 300); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$RUN/demo.pid"
  stop_serve
  stop_standins
  exit 0
fi

if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
# In a session of its own, so the database outlives this terminal as `make db` would leave it.
setsid -w bash scripts/db.sh start "${DB_PORT:-27017}"

stop_serve  # leftovers of a demo that did not exit cleanly
stop_standins
# shellcheck disable=SC2086
"$PY" -m jiit_assets_tests.standins --env-file "$RUN/standins.env" ${JIIT_STANDIN_ARGS:-} >"$RUN/standins.log" 2>&1 &
echo $! >"$RUN/standins.pid"
echo $$ >"$RUN/demo.pid"
trap 'stop_serve; stop_standins; rm -f "$RUN/demo.pid"' EXIT

for _ in $(seq 1 300); do
  [ -f "$RUN/standins.env" ] && break
  if ! kill -0 "$(cat "$RUN/standins.pid")" 2>/dev/null; then
    echo "the stand-ins did not start; last lines of $RUN/standins.log:" >&2
    tail -n 20 "$RUN/standins.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -f "$RUN/standins.env" ] || { echo "the stand-ins did not report their settings in time" >&2; exit 1; }
set -a; . "$RUN/standins.env"; set +a
# Links to the calendar feed (Telegram's /calendar, "Add to calendar" under job postings).
export SUBSCRIBE_PUBLIC_URL=${SUBSCRIBE_PUBLIC_URL:-http://127.0.0.1:$SERVE_PORT}
sed -n '/^Stand-ins running/,$p' "$RUN/standins.log"
echo "Stand-in log (what they received): $RUN/standins.log"

# The browser subscription page and push API, with the same settings (the demo's VAPID keys).
"$ROOT/.venv/bin/jiit-assets" serve --host 127.0.0.1 --port "$SERVE_PORT" >"$RUN/serve.log" 2>&1 &
echo $! >"$RUN/serve.pid"
for _ in $(seq 1 200); do
  "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$SERVE_PORT" \
    2>/dev/null && break
  if ! kill -0 "$(cat "$RUN/serve.pid")" 2>/dev/null; then
    echo "jiit-assets serve did not start; last lines of $RUN/serve.log:" >&2
    tail -n 20 "$RUN/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "Subscription page: http://127.0.0.1:$SERVE_PORT/  (log: $RUN/serve.log)"

export DAGSTER_HOME=${DAGSTER_HOME:-$ROOT/.dagster_home}
mkdir -p "$DAGSTER_HOME"
cmp -s dagster.yaml "$DAGSTER_HOME/dagster.yaml" || cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"

echo "Dagster UI: http://127.0.0.1:$PORT  (Ctrl-C or \`make demo-stop\` to stop)"
# Started from DAGSTER_HOME: `dagster dev` re-reads ./.env over the environment, which would undo
# the stand-in settings for variables .env lists with an empty value. .env was loaded above.
cd "$DAGSTER_HOME"
"$DAGSTER" dev -h 127.0.0.1 -p "$PORT" -w "$ROOT/workspace.yaml"
