#!/usr/bin/env bash
# `make backup` / `make restore`: the pipeline's data (the local database) and the Dagster instance
# (run history, schedule state, sensor cursors in PostgreSQL).
#
#   bash scripts/backup.sh backup [DIR]     write DIR (default $JIIT_BACKUP_DIR/<UTC time>/, JIIT_BACKUP_DIR
#                                           defaulting to .backups); safe while serving
#   bash scripts/backup.sh restore DIR      into an empty data folder; `make serve-stop` first
#
# A backup folder holds ferretdb/<database>.sqlite (SQLite's online backup: a consistent copy even
# while FerretDB writes), dagster.pgdump (pg_dump, custom format) and counts.json (documents per
# collection at backup time, which restore checks). With MONGODB_URI pointing at another server,
# the pipeline's data is that server's to back up (mongodump --uri "$MONGODB_URI" --archive=FILE);
# this script then copies only the Dagster instance.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENV_FILE=${JIIT_ENV_FILE:-$ROOT/.env}
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
export JIIT_DATA_DIR=${JIIT_DATA_DIR:-$ROOT/.data} JIIT_RUN_DIR=${JIIT_RUN_DIR:-$ROOT/.run} JIIT_ENV_FILE=$ENV_FILE
DATA=$JIIT_DATA_DIR
PY=$ROOT/.venv/bin/python
DB_PORT=${DB_PORT:-27017}
pg_local() { case "${DAGSTER_PG_HOST:-127.0.0.1}" in 127.0.0.1 | localhost) return 0 ;; *) return 1 ;; esac; }
db_local() { [ -z "${MONGODB_URI:-}" ] || [ "$MONGODB_URI" = "mongodb://127.0.0.1:$DB_PORT/" ]; }

# Copies every SQLite file of FerretDB with SQLite's backup API, page by page under a read lock.
sqlite_copy() {  # sqlite_copy FROM_DIR TO_DIR
  "$PY" - "$1" "$2" <<'PY'
import pathlib, sqlite3, sys
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
for path in sorted(source.glob("*.sqlite")):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as src, sqlite3.connect(target / path.name) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    print(f"  {path.name}")
PY
}

# Documents per collection of every database, read through the MongoDB protocol.
count_documents() {  # count_documents URI
  "$PY" - "$1" <<'PY'
import json, sys
from pymongo import MongoClient
with MongoClient(sys.argv[1], serverSelectionTimeoutMS=10000) as client:
    counts = {
        f"{name}.{collection}": client[name][collection].count_documents({})
        for name in client.list_database_names() if name not in ("admin", "config", "local")
        for collection in sorted(client[name].list_collection_names())
    }
print(json.dumps(counts, indent=1, sort_keys=True))
PY
}

db_running() { [ -f "$JIIT_RUN_DIR/ferretdb.pid" ] && kill -0 "$(cat "$JIIT_RUN_DIR/ferretdb.pid")" 2>/dev/null; }

backup() {
  local dir=${1:-${JIIT_BACKUP_DIR:-$ROOT/.backups}/$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$dir"
  if db_local; then
    [ -d "$DATA/ferretdb" ] || { echo "no local database in $DATA/ferretdb to back up" >&2; exit 1; }
    if db_running; then count_documents "mongodb://127.0.0.1:$DB_PORT/" >"$dir/counts.json"; fi
    echo "local database -> $dir/ferretdb/"
    sqlite_copy "$DATA/ferretdb" "$dir/ferretdb"
  else
    echo "MONGODB_URI points at another server: back it up there (mongodump --uri \"\$MONGODB_URI\" --archive=FILE)"
  fi
  if pg_local && [ ! -f "$DATA/postgres/PG_VERSION" ]; then
    echo "no Dagster instance in $DATA/postgres yet (make serve creates it); not dumped"
  else
    local stopped=0
    if pg_local && ! bash scripts/pg.sh status >/dev/null; then bash scripts/pg.sh start >/dev/null; stopped=1; fi
    bash scripts/pg.sh dump "$dir/dagster.pgdump"
    [ "$stopped" = 1 ] && bash scripts/pg.sh stop >/dev/null
    echo "Dagster instance -> $dir/dagster.pgdump"
  fi
  echo "backup written to $dir"
}

restore() {
  local dir=${1:?usage: make restore BACKUP=.backups/<time>}
  [ -d "$dir" ] || { echo "no backup folder $dir" >&2; exit 1; }
  if db_running || { pg_local && bash scripts/pg.sh status >/dev/null 2>&1; }; then
    echo "the local database or PostgreSQL is running from $DATA: run \`make serve-stop\` (and \`make db-stop\`) first" >&2
    exit 1
  fi
  if [ -d "$dir/ferretdb" ]; then
    if [ -n "$(ls -A "$DATA/ferretdb" 2>/dev/null)" ]; then
      echo "$DATA/ferretdb is not empty: move it away first (nothing is overwritten)" >&2
      exit 1
    fi
    echo "local database <- $dir/ferretdb/"
    sqlite_copy "$dir/ferretdb" "$DATA/ferretdb"
  fi
  if [ -f "$dir/dagster.pgdump" ]; then
    if pg_local && [ -f "$DATA/postgres/PG_VERSION" ]; then
      echo "$DATA/postgres is not empty: move it away first (nothing is overwritten)" >&2
      exit 1
    fi
    local stopped=0
    if pg_local; then bash scripts/pg.sh start >/dev/null; stopped=1; fi
    bash scripts/pg.sh restore "$dir/dagster.pgdump"
    [ "$stopped" = 1 ] && bash scripts/pg.sh stop >/dev/null
    echo "Dagster instance <- $dir/dagster.pgdump"
  fi
  if [ -f "$dir/counts.json" ] && db_local; then
    bash scripts/db.sh start "$DB_PORT" >/dev/null
    local now
    now=$(count_documents "mongodb://127.0.0.1:$DB_PORT/")
    bash scripts/db.sh stop >/dev/null
    if [ "$now" != "$(cat "$dir/counts.json")" ]; then
      echo "restored document counts differ from the backup's counts.json:" >&2
      diff <(cat "$dir/counts.json") <(echo "$now") >&2 || true
      exit 1
    fi
    echo "document counts per collection match the backup ($(grep -c ':' "$dir/counts.json") collections)"
  fi
  echo "restored into $DATA"
}

case "${1:-}" in
backup) backup "${2:-}" ;;
restore) restore "${2:-}" ;;
*)
  echo "usage: backup.sh backup [DIR] | restore DIR" >&2
  exit 2
  ;;
esac
