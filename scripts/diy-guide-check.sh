#!/usr/bin/env bash
# Runs the plugin guide, docs/diy-plugins.md, in a temporary copy of the
# repository: scaffolds its plugins with the Backstage CLI, applies its
# edits, typechecks and runs the new packages' tests (see
# scripts/diy-guide-check.js). Needs installed packages (yarn install) and
# PostgreSQL for the guide's store test. `--keep` leaves the copy for a look.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_yarn
ensure_services
[ -d "$ROOT/node_modules" ] || die "run yarn install first"
if ! pg_up && ! is_ci; then
  # The guide's store test needs it; CI has it (ensure_services dies there).
  warn "PostgreSQL is not reachable on 127.0.0.1:5432: SKIPPING the plugin guide check"
  [ -d "$ROOT/test-results" ] &&
    echo "diy-guide: 0 passed, 0 failed, 1 skipped" >"$ROOT/test-results/diy-guide.txt"
  exit 0
fi
exec node "$ROOT/scripts/diy-guide-check.js" "$@"
