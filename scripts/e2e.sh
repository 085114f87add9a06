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

# The dead-letter tests need the real PostgreSQL and RabbitMQ (required in
# CI, where scripts/test.sh starts them); without them they are skipped.
configs=(app-config.yaml "$ROOT/e2e/app-config.e2e.yaml")
if pg_up && rabbit_up; then
  E2E_DEAD_LETTER_QUEUE="e2e-dead-letters-$$"
  E2E_RELEASE_EXCHANGE="e2e-release-manager-$$"
  export E2E_DEAD_LETTER_QUEUE E2E_RELEASE_EXCHANGE
  pg_reset_prefix lunar_e2e_
  cat >"$TECHDOCS_PUBLISH_DIR.services.yaml" <<YAML
backend:
  database:
    client: pg
    prefix: lunar_e2e_
    connection: { host: 127.0.0.1, port: 5432, user: postgres, password: postgres }
deadLetter:
  environments:
    - name: e2e
      amqp: { url: 'amqp://guest:guest@127.0.0.1:5672', queue: $E2E_DEAD_LETTER_QUEUE }
      logsUrlTemplate: 'https://logs.example/search?q=service%3D{service}&from={from}&to={to}'
    # What the quick start shows without a broker (scripts/quickstart.js).
    - name: sample
      sample: { fixture: ./examples/dead-letters.sample.json }
squadOverview:
  releaseEvents:
    amqp: { url: 'amqp://guest:guest@127.0.0.1:5672', exchange: $E2E_RELEASE_EXCHANGE, queue: e2e-squad-pulse-$$ }
YAML
  configs+=("$TECHDOCS_PUBLISH_DIR.services.yaml")
  trap 'stop_dist; rm -rf "$TECHDOCS_PUBLISH_DIR" "$TECHDOCS_PUBLISH_DIR.services.yaml"; pg_reset_prefix lunar_e2e_; rabbitmqctl -q delete_queue "e2e-squad-pulse-$$" >/dev/null 2>&1 || true' EXIT
else
  [ -z "${CI:-}" ] || die "PostgreSQL and RabbitMQ are required for the end-to-end tests in CI"
  warn "PostgreSQL or RabbitMQ is not running: the dead-letter end-to-end tests are SKIPPED"
fi

# Example repositories as real git repositories with environment tags, so
# the release-status tests see real drift.
node "$ROOT/scripts/example-git-repos.js" "$DIST/.local/example-git"
export E2E_EXAMPLE_GIT_DIR="$DIST/.local/example-git"

# The sample setup, as a new user has it: no GitHub token.
unset GITHUB_TOKEN
log "Starting the built portal with the sample data for end-to-end tests"
start_dist "$DIST" "$LOGFILE" "${configs[@]}"
wait_ready "$BASE" 120 "$LOGFILE"

cd "$ROOT"
# @firststart tests need `yarn start`'s local services (scripts/quickstart-smoke.sh).
PLAYWRIGHT_URL="$BASE" yarn playwright test --grep-invert @firststart "$@"
