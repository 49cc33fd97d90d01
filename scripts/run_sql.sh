#!/usr/bin/env bash
# Run one of the service's SQL files with psql, filling its :named parameters.
#
#   scripts/run_sql.sh sql/system/get_metrics.sql
#   scripts/run_sql.sh sql/<domain>/<query>.sql phone=447400100001
#
# Each name=value becomes a quoted SQL literal, as the service would bind it. The database
# is DATABASE_URL, else the embedded PostgreSQL that `make run` is running.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 sql/<domain>/<query>.sql [name=value ...]" >&2
    exit 2
fi
file=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
url=${DATABASE_URL:-"postgresql://postgres@/optimizer?host=${EMBEDDED_DB_DIR:-$root/.data/postgres}"}

args=()
for pair in "$@"; do
    name=${pair%%=*}
    value=${pair#*=}
    # A literal: single quotes doubled, the whole value quoted.
    args+=(-v "$name='${value//\'/\'\'}'")
done

exec psql "$url" --no-psqlrc --set ON_ERROR_STOP=1 "${args[@]}" --file "$file"
