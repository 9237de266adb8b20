#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, only when they are missing:
# Dovecot (a real IMAP server), Chromium (for the UI test), nginx (the documented proxy in front
# of the UI, tested) and PostgreSQL (the production Dagster
# instance of `make serve` and its tests). Needs root, as on CI.
#
#   bash scripts/system_deps.sh          everything the tests use
#   bash scripts/system_deps.sh serve    PostgreSQL only, unless DAGSTER_PG_HOST names another server
set -euo pipefail
mode=${1:-all}
need=()
has_postgres() { ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }
if [ "$mode" = serve ]; then
  case "${DAGSTER_PG_HOST:-127.0.0.1}" in 127.0.0.1 | localhost) ;; *) exit 0 ;; esac
else
  command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
fi
has_postgres || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} — install them (sudo apt-get install ${need[*]}), or run make as root" >&2
  exit 1
fi
echo "installing ${need[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The packages enable system-wide services (Dovecot on 143, PostgreSQL's `main` cluster on 5432);
# the tests and `make serve` run their own on ports of their choosing, so stop the ones just installed.
if command -v systemctl >/dev/null 2>&1; then
  for unit in dovecot postgresql nginx; do
    if [[ " ${need[*]} " == *" $unit"* ]]; then systemctl disable --now "$unit" >/dev/null 2>&1 || true; fi
  done
fi
if [[ " ${need[*]} " == *" dovecot-imapd "* ]]; then pkill -x dovecot 2>/dev/null || true; fi
if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h | while read -r version cluster _; do pg_ctlcluster "$version" "$cluster" stop 2>/dev/null || true; done
fi
