#!/usr/bin/env bash
# Checks what a make target needs before it starts, and names each missing piece in one line with
# the two ways out: install it, or point the setting at something that already exists.
#
#   bash scripts/prereqs.sh install|demo|test|serve   check; exit 1 after listing every problem
#   bash scripts/prereqs.sh embedded-db demo|test     exit 0 when the target uses the local FerretDB
#
# The local database (FerretDB, built with Go) is needed only when MONGODB_URI is unset (demo, serve)
# or JIIT_TEST_MONGODB_URI is unset (test). Supported systems: Debian 12 and Ubuntu 22.04/24.04 with
# Python 3.11+, and Go 1.22+ for the local database.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENV_FILE=${JIIT_ENV_FILE:-$ROOT/.env}
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
RUN=${JIIT_RUN_DIR:-$ROOT/.run}
# JIIT_FERRETDB: where the built local database is looked for (tests point it at a missing file).
FERRETDB=${JIIT_FERRETDB:-$ROOT/.tools/bin/ferretdb-sqlite}
target=${1:?usage: prereqs.sh install|demo|test|serve | embedded-db demo|test}
problems=0

missing() {  # missing WHAT INSTALL ALTERNATIVE
  echo "missing: $1 — install it ($2), or $3" >&2
  problems=$((problems + 1))
}

uses_embedded_db() {
  case "$1" in
  test) [ -z "${JIIT_TEST_MONGODB_URI:-}" ] ;;
  *) [ -z "${MONGODB_URI:-}" ] ;;
  esac
}

go_ok() {
  command -v go >/dev/null 2>&1 || return 1
  local version
  version=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
  [ "$(printf '%s\n1.22\n' "$version" | sort -V | head -n 1)" = 1.22 ]
}

check_go() {
  [ -x "$FERRETDB" ] && return 0
  go_ok || missing "Go 1.22+ (builds the local MongoDB-compatible database)" \
    "apt-get install golang-1.22 or https://go.dev/dl/" "set $1 to an existing MongoDB (mongodb://HOST:27017/)"
}

check_python() {
  local python=${PYTHON:-python3}
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
    missing "Python 3.11+ with venv" "apt-get install python3 python3-venv" \
      "run make with PYTHON=/path/to/python3.11"
}

check_packages() {  # check_packages COMMAND:PACKAGE...
  local item command package need=()
  for item in "$@"; do
    command=${item%%:*}
    package=${item##*:}
    if [ "$command" = pg_ctl ]; then
      ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=("$package")
    else
      command -v "$command" >/dev/null 2>&1 || need+=("$package")
    fi
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
    missing "Debian packages ${need[*]} (and root to install them)" "sudo apt-get install ${need[*]}" \
      "run make as root, which installs them"
  fi
}

# A port is fine when free, or when the part of this installation that owns it is already running.
check_port() {  # check_port PORT SETTING OWNER_PIDFILE
  local port=$1 setting=$2 pidfile=${3:-}
  if [ -n "$pidfile" ] && [ -f "$pidfile" ] && kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null; then return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "busy: port $port is in use — stop what listens there (ss -ltnp 'sport = :$port'), or set $setting to a free port" >&2
    problems=$((problems + 1))
  fi
}

case "$target" in
embedded-db)
  uses_embedded_db "${2:?usage: prereqs.sh embedded-db demo|test}"
  exit
  ;;
install)
  check_python
  uses_embedded_db demo && check_go MONGODB_URI
  ;;
test)
  uses_embedded_db test && check_go JIIT_TEST_MONGODB_URI
  check_packages dovecot:dovecot-imapd chromium:chromium pg_ctl:postgresql
  ;;
demo)
  uses_embedded_db demo && check_go MONGODB_URI
  check_packages dovecot:dovecot-imapd
  check_port "${DAGSTER_PORT:-3000}" DAGSTER_PORT "$RUN/demo.pid"
  uses_embedded_db demo && check_port "${DB_PORT:-27017}" DB_PORT "$RUN/ferretdb.pid"
  ;;
serve)
  uses_embedded_db serve && check_go MONGODB_URI
  pg_host=${DAGSTER_PG_HOST:-127.0.0.1}
  if [ "$pg_host" = 127.0.0.1 ] || [ "$pg_host" = localhost ]; then
    check_packages pg_ctl:postgresql
    check_port "${DAGSTER_PG_PORT:-5433}" DAGSTER_PG_PORT "${JIIT_DATA_DIR:-$ROOT/.data}/postgres/postmaster.pid"
  fi
  check_port "${DAGSTER_PORT:-3000}" DAGSTER_PORT "$RUN/webserver.pid"
  check_port "${DAGSTER_CODE_SERVER_PORT:-4000}" DAGSTER_CODE_SERVER_PORT "$RUN/code-server.pid"
  uses_embedded_db serve && check_port "${DB_PORT:-27017}" DB_PORT "$RUN/ferretdb.pid"
  "$ROOT/.venv/bin/python" -c 'import dagster_postgres' 2>/dev/null ||
    missing "the project's virtualenv with dagster-postgres" "make install" \
      "run the Dagster processes from the container image (tools/deploy/Dockerfile)"
  ;;
*)
  echo "usage: prereqs.sh install|demo|test|serve | embedded-db demo|test" >&2
  exit 2
  ;;
esac

if [ "$problems" -gt 0 ]; then
  echo "$problems prerequisite(s) missing for \`make $target\`; see the lines above." >&2
  exit 1
fi
