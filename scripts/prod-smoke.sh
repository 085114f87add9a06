#!/usr/bin/env bash
# Production smoke test, the Dockerfile's steps without Docker: the built
# backend with app-config.production.yaml on the local PostgreSQL must become
# ready and serve the frontend.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/run-dist.sh"

DIST="${DIST:-$TOOLS/dist}"
ensure_node
[ -f "$DIST/packages/backend/package.json" ] || "$ROOT/scripts/build-dist.sh" "$DIST"
pg_up || die "PostgreSQL is required for the production smoke test"

PORT=7007
BASE="http://localhost:$PORT"
LOGFILE="$ROOT/test-results/prod-smoke-backend.log"
mkdir -p "$(dirname "$LOGFILE")"
pg_reset_prefix lunar_smoke_
trap stop_dist EXIT

log "Starting the built backend with production config on PostgreSQL"
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=5432 POSTGRES_USER=postgres POSTGRES_PASSWORD=postgres
export AUTH_GITHUB_CLIENT_ID=smoke-test AUTH_GITHUB_CLIENT_SECRET=smoke-test GITHUB_TOKEN=smoke-test GITHUB_ORG=lunarway
export APP_CONFIG_backend_database_prefix=lunar_smoke_
start_dist "$DIST" "$LOGFILE" app-config.yaml app-config.production.yaml
wait_ready "$BASE" 120 "$LOGFILE"

passed=0
failed=0
check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "  ok   $name"
  else
    failed=$((failed + 1))
    echo "  FAIL $name"
  fi
}

html="$(curl -fsS "$BASE/")"
asset="$(printf '%s' "$html" | grep -oE 'src="/static/[^"]+\.js"' | head -1 | cut -d'"' -f2)"
check "readiness answers 200" curl -fsS -o /dev/null "$BASE/.backstage/health/v1/readiness"
check "serves the frontend titled Lunar" grep -q '<title>Lunar</title>' <<<"$html"
check "serves the frontend's JavaScript" curl -fsS -o /dev/null "$BASE$asset"
check "uses PostgreSQL (catalog database exists)" \
  test "$(psql -h 127.0.0.1 -U postgres -Atc "select count(*) from pg_database where datname = 'lunar_smoke_catalog'" postgres)" = 1
check "the catalog API refuses anonymous calls" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/catalog/entities")" = 401
check "GitHub sign-in is configured" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/auth/github/start?env=production")" = 302
check "guest sign-in is refused in production" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/auth/guest/refresh")" != 200

echo "prod-smoke: $passed passed, $failed failed" | tee "$ROOT/test-results/prod-smoke.txt"
[ "$failed" -eq 0 ]
