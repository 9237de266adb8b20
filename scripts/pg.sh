#!/usr/bin/env bash
# The project's own PostgreSQL for the production Dagster instance (`make serve`): Debian's server
# binaries, a cluster in $JIIT_DATA_DIR/postgres (default .data/postgres), listening on 127.0.0.1
# only. PostgreSQL refuses to run as root, so under root the cluster belongs to Debian's `postgres`
# user and every server command runs as that user.
# Does nothing when DAGSTER_PG_HOST names another server (a managed PostgreSQL): that one is used.
#
#   bash scripts/pg.sh init|start|stop|status      cluster life cycle (start runs init when needed)
#   bash scripts/pg.sh dump FILE | restore FILE    the Dagster instance database, pg_dump custom format
#
# Settings (environment or .env): DAGSTER_PG_PORT (default 5433, so a system PostgreSQL on 5432 is
# left alone), DAGSTER_PG_USERNAME and DAGSTER_PG_DB (default dagster). The password is generated
# on init and kept in $JIIT_DATA_DIR/postgres.env (mode 600), which `make serve` reads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENV_FILE=${JIIT_ENV_FILE:-$ROOT/.env}
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
DATA=${JIIT_DATA_DIR:-$ROOT/.data}
PGDATA=$DATA/postgres
CREDENTIALS=$DATA/postgres.env
PORT=${DAGSTER_PG_PORT:-5433}
PGUSER_NAME=${DAGSTER_PG_USERNAME:-dagster}
DB=${DAGSTER_PG_DB:-dagster}
action=${1:-status}

if [ -n "${DAGSTER_PG_HOST:-}" ] && [ "$DAGSTER_PG_HOST" != 127.0.0.1 ] && [ "$DAGSTER_PG_HOST" != localhost ]; then
  case "$action" in
  dump | restore) ;;  # these work against any server
  *)
    echo "DAGSTER_PG_HOST is set to another server; not managing a local PostgreSQL."
    exit 0
    ;;
  esac
fi

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/$1" ]; then echo "$dir/$1"; return; fi
  command -v "$1" || {
    echo "PostgreSQL's $1 is missing: run \`make system-deps\` (installs Debian's postgresql), or set DAGSTER_PG_HOST to an existing PostgreSQL" >&2
    exit 1
  }
}

# Runs a server command as the cluster's owner: `postgres` under root, the caller otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$PGDATA/postmaster.pid" ] && as_owner "$(pg_bin pg_ctl)" -D "$PGDATA" status >/dev/null 2>&1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

client_env() {
  # shellcheck disable=SC1090
  [ -f "$CREDENTIALS" ] && . "$CREDENTIALS"
  export PGPASSWORD=${DAGSTER_PG_PASSWORD:?no DAGSTER_PG_PASSWORD: run \`bash scripts/pg.sh init\` or set it}
  export PGHOST=${DAGSTER_PG_HOST:-127.0.0.1} PGPORT=$PORT PGUSER=$PGUSER_NAME PGDATABASE=$DB
}

init() {
  if [ -f "$PGDATA/PG_VERSION" ]; then return; fi
  mkdir -p "$DATA"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || {
      echo "no 'postgres' user to own the cluster: run \`make system-deps\` (Debian's postgresql creates it)" >&2
      exit 1
    }
    runuser -u postgres -- test -w "$DATA" -o -x "$DATA" || {
      echo "PostgreSQL runs as user postgres, which cannot reach $DATA: set JIIT_DATA_DIR to a folder it can reach (e.g. /var/lib/jiit-assets), or run make serve as a non-root user" >&2
      exit 1
    }
  fi
  local password pwfile
  password=$("$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
  pwfile=$DATA/.postgres-password
  mkdir -p "$PGDATA"
  (umask 077; printf '%s\n' "$password" >"$pwfile")
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGDATA" "$pwfile"; fi
  chmod 700 "$PGDATA"
  as_owner "$(pg_bin initdb)" -D "$PGDATA" -U "$PGUSER_NAME" --pwfile="$pwfile" -A scram-sha-256 \
    -E UTF8 --no-locale >"$DATA/postgres-initdb.log" 2>&1 || {
    rm -f "$pwfile"
    echo "initdb failed; see $DATA/postgres-initdb.log" >&2
    exit 1
  }
  rm -f "$pwfile"
  (
    umask 077
    printf 'DAGSTER_PG_USERNAME=%s\nDAGSTER_PG_PASSWORD=%s\nDAGSTER_PG_DB=%s\n' "$PGUSER_NAME" "$password" "$DB" >"$CREDENTIALS"
  )
  NEW_CLUSTER=1
  echo "PostgreSQL cluster created in $PGDATA (credentials in $CREDENTIALS)"
}

start() {
  init
  if running; then
    echo "PostgreSQL already running on 127.0.0.1:$PORT (data in $PGDATA)"
    return
  fi
  if port_busy "$PORT"; then
    echo "port $PORT is busy, so PostgreSQL cannot listen there: set DAGSTER_PG_PORT to a free port, or stop what listens on $PORT" >&2
    exit 1
  fi
  # Sockets only in the data folder and TCP only on loopback: nothing else on the machine is touched.
  as_owner "$(pg_bin pg_ctl)" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA" start >/dev/null || {
    echo "PostgreSQL did not start; see $PGDATA/server.log" >&2
    exit 1
  }
  client_env
  if [ "${NEW_CLUSTER:-0}" = 1 ] || ! "$(pg_bin psql)" -tAc "SELECT 1" >/dev/null 2>&1; then
    PGDATABASE=postgres "$(pg_bin createdb)" "$DB"
  fi
  echo "PostgreSQL on 127.0.0.1:$PORT, database $DB, data in $PGDATA"
}

stop() {
  if running; then
    as_owner "$(pg_bin pg_ctl)" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
    echo "PostgreSQL stopped"
  fi
}

case "$action" in
init) init ;;
start) start ;;
stop) stop ;;
status)
  if running; then echo "PostgreSQL running on 127.0.0.1:$PORT"; else echo "PostgreSQL not running"; exit 3; fi
  ;;
dump)
  client_env
  "$(pg_bin pg_dump)" --format=custom --file="${2:?usage: pg.sh dump FILE}" "$DB"
  ;;
restore)
  client_env
  "$(pg_bin pg_restore)" --clean --if-exists --no-owner --exit-on-error --dbname="$DB" "${2:?usage: pg.sh restore FILE}"
  ;;
*)
  echo "usage: pg.sh init|start|stop|status|dump FILE|restore FILE" >&2
  exit 2
  ;;
esac
