#!/usr/bin/env bash
# Start or stop the local FerretDB (SQLite) server on 127.0.0.1. Does nothing when MONGODB_URI
# points at another server (Atlas, a Docker mongo): that one is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-start}
port=${2:-27017}
# JIIT_RUN_DIR / JIIT_DATA_DIR / JIIT_ENV_FILE move the pid file, the data and the settings file
# (`make serve` and its tests use them to run a second, isolated installation).
RUN=${JIIT_RUN_DIR:-.run}
DATA=${JIIT_DATA_DIR:-.data}
ENV_FILE=${JIIT_ENV_FILE:-.env}
pidfile=$RUN/ferretdb.pid
mkdir -p "$RUN" "$DATA"

if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
if [ "$action" = start ] && [ -n "${MONGODB_URI:-}" ] && [[ "$MONGODB_URI" != *"127.0.0.1:$port"* ]] && [[ "$MONGODB_URI" != *"localhost:$port"* ]]; then
  echo "MONGODB_URI is set to another server; not starting the local database."
  exit 0
fi

case "$action" in
start)
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "local database already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"
    exit 0
  fi
  if [ ! -x .tools/bin/ferretdb-sqlite ]; then
    echo "the local database is not built: run \`make install\` (needs Go), or set MONGODB_URI to an existing MongoDB" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is busy, so the local database cannot listen there: set DB_PORT (and MONGODB_URI=mongodb://127.0.0.1:PORT/) to a free port, or stop what listens on $port" >&2
    exit 1
  fi
  .tools/bin/ferretdb-sqlite -listen-addr "127.0.0.1:$port" -data-dir "$DATA/ferretdb" >>"$RUN/ferretdb.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "local database (FerretDB + SQLite) on mongodb://127.0.0.1:$port/, data in $DATA/ferretdb"
      exit 0
    fi
    sleep 0.1
  done
  echo "FerretDB did not start; see $RUN/ferretdb.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    # Wait for the exit, so a backup or a restart that follows sees closed SQLite files.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
    echo "local database stopped"
  fi
  ;;
*)
  echo "usage: db.sh start|stop [port]" >&2
  exit 2
  ;;
esac
