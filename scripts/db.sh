#!/usr/bin/env bash
# Start or stop the local FerretDB (SQLite) server on 127.0.0.1. Does nothing when MONGODB_URI
# points at another server (Atlas, a Docker mongo): that one is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-start}
port=${2:-27017}
pidfile=.run/ferretdb.pid
mkdir -p .run .data

if [ -f .env ]; then set -a; . ./.env; set +a; fi
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
  .tools/bin/ferretdb-sqlite -listen-addr "127.0.0.1:$port" -data-dir .data/ferretdb >>.run/ferretdb.log 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "local database (FerretDB + SQLite) on mongodb://127.0.0.1:$port/, data in .data/ferretdb"
      exit 0
    fi
    sleep 0.1
  done
  echo "FerretDB did not start; see .run/ferretdb.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    echo "local database stopped"
  fi
  ;;
*)
  echo "usage: db.sh start|stop [port]" >&2
  exit 2
  ;;
esac
