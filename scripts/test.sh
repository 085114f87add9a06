#!/usr/bin/env bash
# Runs every test of the portal, as CI does (.ci/run calls this script):
#   typecheck, lint, formatting, unit + integration (Jest; PostgreSQL and
#   RabbitMQ ones use the real local servers), the plugin guide
#   (docs/diy-plugins.md, run in a temporary copy), the production build
#   smoke test, end-to-end tests in Chromium against the built portal, and
#   the quick start's `yarn start` checked in Chromium.
# Installs what it needs itself: Node 22, Yarn 4, packages, chromium, mkdocs;
# starts PostgreSQL and RabbitMQ when they are down (required in CI).
source "$(dirname "$0")/lib.sh"

started=$SECONDS
install_deps
ensure_mkdocs
ensure_chromium
ensure_services
cd "$ROOT"
rm -rf test-results && mkdir -p test-results

steps_failed=()
step() {
  local name="$1"
  shift
  log "[$name] $*"
  local t0=$SECONDS
  if "$@"; then
    log "[$name] passed in $((SECONDS - t0))s"
  else
    warn "[$name] FAILED after $((SECONDS - t0))s"
    steps_failed+=("$name")
  fi
}

step typecheck yarn tsc
step lint yarn lint:all
step format yarn prettier:check
# CI=true keeps Jest out of watch mode.
step unit+integration env CI=true yarn test --json --outputFile="$ROOT/test-results/jest-results.json"
# The plugin guide's commands, run in a temporary copy of the repository.
step diy-guide "$ROOT/scripts/diy-guide-check.sh"
step build "$ROOT/scripts/build-dist.sh"
step prod-smoke "$ROOT/scripts/prod-smoke.sh"
# Two built replicas: cold start together, a drain through SIGTERM and SIGKILL.
step replicas "$ROOT/scripts/replicas-test.sh"
step e2e "$ROOT/scripts/e2e.sh"
step quickstart "$ROOT/scripts/quickstart-smoke.sh"

# One closing line for all tests: Jest, the smoke checks and Playwright.
node "$ROOT/scripts/summarize-tests.js" "${#steps_failed[@]}"
rc=$?
if [ "${#steps_failed[@]}" -gt 0 ]; then
  warn "failed steps: ${steps_failed[*]} (total $((SECONDS - started))s)"
  exit 1
fi
log "all steps passed in $((SECONDS - started))s"
exit "$rc"
