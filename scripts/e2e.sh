#!/usr/bin/env bash
# End-to-end tests in Debian's Chromium, driven by Playwright, against the
# built portal (the production bundle) with the sample data and guest sign-in.
# Usage: scripts/e2e.sh [playwright args...]
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/run-dist.sh"

DIST="${DIST:-$TOOLS/dist}"
ensure_node
ensure_yarn
ensure_chromium
ensure_mkdocs
[ -f "$DIST/packages/backend/package.json" ] || "$ROOT/scripts/build-dist.sh" "$DIST"

PORT=7007
BASE="http://localhost:$PORT"
LOGFILE="$ROOT/test-results/e2e-backend.log"
mkdir -p "$(dirname "$LOGFILE")"
TECHDOCS_PUBLISH_DIR="$(mktemp -d)"
export TECHDOCS_PUBLISH_DIR
trap 'stop_dist; rm -rf "$TECHDOCS_PUBLISH_DIR"' EXIT

log "Starting the built portal with the sample data for end-to-end tests"
start_dist "$DIST" "$LOGFILE" app-config.yaml "$ROOT/e2e/app-config.e2e.yaml"
wait_ready "$BASE" 120 "$LOGFILE"

cd "$ROOT"
PLAYWRIGHT_URL="$BASE" yarn playwright test "$@"
