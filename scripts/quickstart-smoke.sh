#!/usr/bin/env bash
# Checks the README quick start as a new developer meets it: `yarn start`
# (frontend dev server on :3000, backend on :7007, embedded defaults), then
# the end-to-end tests tagged @quickstart in Chromium against :3000.
# The dev servers are stopped afterwards.
# Usage: scripts/quickstart-smoke.sh [playwright args...]
source "$(dirname "$0")/lib.sh"

ensure_node
ensure_yarn
ensure_chromium
ensure_mkdocs
cd "$ROOT"

for port in 3000 7007; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use; stop the running portal first"
  fi
done

LOGFILE="$ROOT/test-results/quickstart.log"
mkdir -p "$(dirname "$LOGFILE")"
# TechDocs' local publisher keeps built sites between runs; start without
# them so that the check covers building the docs too.
rm -rf node_modules/@backstage/plugin-techdocs-backend/static/docs

# A developer who ran the portal before has dead letters waiting in the
# queue: the start drains them before the catalog knows their owners, and
# they must still get their squads (and be redeliverable) within a minute.
log "Leaving a batch of dead letters in the queue, as an earlier run would"
node scripts/dead-letter-traffic.js 10

log "Starting the portal with yarn start"
setsid yarn start >"$LOGFILE" 2>&1 &
START_PID=$!
stop_start() {
  kill -- "-$START_PID" 2>/dev/null || true
  wait "$START_PID" 2>/dev/null || true
}
trap stop_start EXIT

deadline=$((SECONDS + 300))
until curl -fsS http://localhost:7007/.backstage/health/v1/readiness >/dev/null 2>&1 &&
  curl -fsS http://localhost:3000 >/dev/null 2>&1; do
  if ! kill -0 "$START_PID" 2>/dev/null; then
    tail -50 "$LOGFILE" >&2
    die "yarn start exited before the portal was up (log above)"
  fi
  [ $SECONDS -lt $deadline ] || die "the portal did not come up within 300s (see $LOGFILE)"
  sleep 2
done
log "The portal is up; running the @quickstart end-to-end tests"

PLAYWRIGHT_URL=http://localhost:3000 \
  E2E_RESULTS_FILE=test-results/e2e-quickstart-results.json \
  yarn playwright test --grep "@quickstart|@firststart" "$@"
