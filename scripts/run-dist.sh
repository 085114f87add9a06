# shellcheck shell=bash
# Helpers to start and stop the built backend from scripts/build-dist.sh.
# Source after lib.sh.

DIST_PID=""

# start_dist <dir> <log file> <config files...>
start_dist() {
  local dir="$1" logfile="$2"
  shift 2
  local args=()
  for c in "$@"; do args+=(--config "$c"); done
  (cd "$dir" && NODE_ENV=production exec node packages/backend "${args[@]}") >"$logfile" 2>&1 &
  DIST_PID=$!
}

stop_dist() {
  if [ -n "$DIST_PID" ] && kill -0 "$DIST_PID" 2>/dev/null; then
    kill "$DIST_PID" 2>/dev/null || true
    wait "$DIST_PID" 2>/dev/null || true
  fi
  DIST_PID=""
}

# wait_ready <base url> <seconds> <log file>: polls the readiness endpoint.
wait_ready() {
  local url="$1" seconds="$2" logfile="$3"
  local deadline=$((SECONDS + seconds))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$DIST_PID" 2>/dev/null; then
      tail -50 "$logfile" >&2
      die "the backend exited before it was ready (log above)"
    fi
    if curl -fsS "$url/.backstage/health/v1/readiness" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  tail -50 "$logfile" >&2
  die "the backend was not ready within ${seconds}s (log above)"
}

# create_database <name>: a fresh, empty PostgreSQL database for one run.
# Backstage creates one database per plugin, prefixed by this name.
pg_reset_prefix() {
  local prefix="$1"
  local dbs
  dbs="$(psql -h 127.0.0.1 -U postgres -Atc "select datname from pg_database where datname like '${prefix}%'" postgres)"
  for db in $dbs; do
    psql -h 127.0.0.1 -U postgres -qc "drop database if exists \"$db\" with (force)" postgres >/dev/null
  done
}
