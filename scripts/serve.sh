#!/usr/bin/env bash
# `make serve`: the production topology on one machine, each part its own process:
#   PostgreSQL (the Dagster instance: run history, schedule state, sensor cursors; scripts/pg.sh)
#   the local database (FerretDB + SQLite; only when MONGODB_URI is unset; scripts/db.sh)
#   the code server (`dagster code-server start`: the only process that imports jiit_assets)
#   dagster-daemon (schedules, sensors, run queue) and dagster-webserver (the UI, loopback by default)
#   the subscription service (`jiit-assets serve`), when the installed version has it.
# The daemon starts only after the code location loaded through the code server without errors.
#
#   bash scripts/serve.sh start|stop|status       what `make serve` / `make serve-stop` run
#   bash scripts/serve.sh restart PART...         restart some of: webserver daemon code-server subscriptions
#   bash scripts/serve.sh upgrade                 after `git pull` and `make install` (what `make upgrade` runs):
#       stop the daemon and the webserver (no run starts meanwhile), back up, migrate the instance
#       (`dagster instance migrate`), restart the code server and load the code location through
#       it, and only then start the daemon and the webserver again
#
# Settings (environment or .env): DAGSTER_HOST (127.0.0.1), DAGSTER_PORT (3000),
# DAGSTER_CODE_SERVER_PORT (4000), DAGSTER_PG_PORT (5433), DB_PORT (27017); JIIT_DATA_DIR (.data),
# JIIT_RUN_DIR (.run) and JIIT_ENV_FILE (.env) move the data, the pid/log files and the settings file.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENV_FILE=${JIIT_ENV_FILE:-$ROOT/.env}
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
export JIIT_DATA_DIR=${JIIT_DATA_DIR:-$ROOT/.data} JIIT_RUN_DIR=${JIIT_RUN_DIR:-$ROOT/.run} JIIT_ENV_FILE=$ENV_FILE
DATA=$JIIT_DATA_DIR
RUN=$JIIT_RUN_DIR
BIN=$ROOT/.venv/bin
HOST=${DAGSTER_HOST:-127.0.0.1}
PORT=${DAGSTER_PORT:-3000}
DB_PORT=${DB_PORT:-27017}
SERVE_PORT=${SERVE_PORT:-8105}
export DAGSTER_CODE_SERVER_HOST=${DAGSTER_CODE_SERVER_HOST:-127.0.0.1}
export DAGSTER_CODE_SERVER_PORT=${DAGSTER_CODE_SERVER_PORT:-4000}
export DAGSTER_PG_HOST=${DAGSTER_PG_HOST:-127.0.0.1} DAGSTER_PG_PORT=${DAGSTER_PG_PORT:-5433}
export DAGSTER_HOME=$DATA/dagster_home
WORKSPACE=$ROOT/tools/deploy/workspace.prod.yaml
PARTS=(code-server daemon webserver subscriptions)
mkdir -p "$RUN" "$DATA"

local_pg() { [ "$DAGSTER_PG_HOST" = 127.0.0.1 ] || [ "$DAGSTER_PG_HOST" = localhost ]; }
local_db() { [ -z "${MONGODB_URI:-}" ] || [ "$MONGODB_URI" = "mongodb://127.0.0.1:$DB_PORT/" ]; }
alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

instance_env() {
  if local_pg && [ -f "$DATA/postgres.env" ]; then set -a; . "$DATA/postgres.env"; set +a; fi
  local_db && export MONGODB_URI="mongodb://127.0.0.1:$DB_PORT/"
  mkdir -p "$DAGSTER_HOME"
  cmp -s tools/deploy/dagster.prod.yaml "$DAGSTER_HOME/dagster.yaml" ||
    cp tools/deploy/dagster.prod.yaml "$DAGSTER_HOME/dagster.yaml"
}

has_subscriptions() { "$BIN/jiit-assets" serve --help >/dev/null 2>&1; }

command_of() {
  case "$1" in
  code-server)
    echo "$BIN/dagster code-server start -h $DAGSTER_CODE_SERVER_HOST -p $DAGSTER_CODE_SERVER_PORT" \
      "-m jiit_assets.definitions --location-name jiit_assets"
    ;;
  daemon) echo "$BIN/dagster-daemon run -w $WORKSPACE" ;;
  webserver) echo "$BIN/dagster-webserver -h $HOST -p $PORT -w $WORKSPACE" ;;
  subscriptions) echo "$BIN/jiit-assets serve --host $HOST --port $SERVE_PORT" ;;
  esac
}

# Each part in a session of its own (setsid), so stopping it also stops what it spawned (the code
# server's gRPC child, run workers) and nothing else. Started from DAGSTER_HOME: Dagster's commands
# read a .env in their working directory, and the settings were already loaded above.
start_part() {
  local part=$1
  if alive "$part"; then echo "$part already running (pid $(cat "$RUN/$part.pid"))"; return; fi
  if [ "$part" = subscriptions ] && ! has_subscriptions; then
    echo "subscription service: not in this version of jiit-assets (\`jiit-assets serve\` missing); skipped"
    return
  fi
  # shellcheck disable=SC2046
  (cd "$DAGSTER_HOME" && exec setsid $(command_of "$part") >>"$RUN/$part.log" 2>&1 </dev/null) &
  echo $! >"$RUN/$part.pid"
}

stop_part() {
  local part=$1 pid
  [ -f "$RUN/$part.pid" ] || return 0
  pid=$(cat "$RUN/$part.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "$part stopped"
  fi
  rm -f "$RUN/$part.pid"
}

wait_until() {  # wait_until PART SECONDS COMMAND...: until COMMAND succeeds while PART keeps running
  local part=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! alive "$part"; then
      echo "$part exited; last lines of $RUN/$part.log:" >&2
      tail -n 30 "$RUN/$part.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "$part did not come up within $seconds s; see $RUN/$part.log" >&2
  exit 1
}

webserver_up() { "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://$HOST:$PORT/server_info"; }

start_code_server() {
  start_part code-server
  wait_until code-server 180 "$BIN/dagster" api grpc-health-check -h "$DAGSTER_CODE_SERVER_HOST" -p "$DAGSTER_CODE_SERVER_PORT"
  # A code location that fails to import still gets a healthy server (it reports the error), so
  # load it through the server the way the daemon will before letting the daemon start.
  if ! (cd "$DAGSTER_HOME" && "$BIN/dagster" definitions validate -w "$WORKSPACE" >"$RUN/validate.log" 2>&1); then
    echo "the code location did not load through the code server, so the daemon stays stopped (\`make serve-stop\` stops the rest). See $RUN/validate.log:" >&2
    tail -n 30 "$RUN/validate.log" >&2
    exit 1
  fi
  echo "code location jiit_assets loaded by the code server on $DAGSTER_CODE_SERVER_HOST:$DAGSTER_CODE_SERVER_PORT"
}

start_all() {
  bash scripts/prereqs.sh serve
  if local_pg; then bash scripts/pg.sh start; fi
  if local_db; then bash scripts/db.sh start "$DB_PORT"; fi
  instance_env
  start_code_server
  start_part daemon
  start_part webserver
  wait_until webserver 180 webserver_up
  start_part subscriptions
  echo "Dagster UI: http://$HOST:$PORT  (DAGSTER_HOME=$DAGSTER_HOME, logs in $RUN; \`make serve-stop\` stops everything)"
}

stop_all() {
  for ((i = ${#PARTS[@]} - 1; i >= 0; i--)); do stop_part "${PARTS[$i]}"; done
  if local_db; then bash scripts/db.sh stop; fi
  if local_pg; then bash scripts/pg.sh stop; fi
}

status() {
  local part code=0
  for part in "${PARTS[@]}"; do
    if [ "$part" = subscriptions ] && ! has_subscriptions; then
      echo "subscriptions: not in this version of jiit-assets"
    elif alive "$part"; then echo "$part: running (pid $(cat "$RUN/$part.pid"))"; else echo "$part: stopped"; code=3; fi
  done
  local_pg && { bash scripts/pg.sh status || true; }
  return $code
}

case "${1:-start}" in
start) start_all ;;
stop) stop_all ;;
status) status ;;
restart)
  shift
  instance_env
  for part in "$@"; do stop_part "$part"; done
  for part in "$@"; do
    case "$part" in
    code-server) start_code_server ;;
    webserver) start_part webserver && wait_until webserver 180 webserver_up ;;
    *) start_part "$part" ;;
    esac
  done
  ;;
upgrade)
  instance_env
  alive code-server || { echo "not serving: run \`make serve\` (it migrates a new instance itself)" >&2; exit 1; }
  stop_part webserver
  stop_part daemon
  bash scripts/backup.sh backup
  (cd "$DAGSTER_HOME" && "$BIN/dagster" instance migrate)
  stop_part code-server
  start_code_server
  start_part daemon
  start_part webserver
  wait_until webserver 180 webserver_up
  echo "upgraded: instance migrated, code location loaded, daemon and webserver started"
  ;;
*)
  echo "usage: serve.sh start|stop|status|restart PART...|upgrade" >&2
  exit 2
  ;;
esac
