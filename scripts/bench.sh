#!/usr/bin/env bash
# Runs a benchmark under bench/ and writes its figures to docs/benchmarks.md.
# Usage: ./scripts/bench.sh <name>      e.g. ./scripts/bench.sh startup
#        ./scripts/bench.sh install     clean install time (fresh clone)
source "$(dirname "$0")/lib.sh"

name="${1:-}"
[ -n "$name" ] || die "usage: scripts/bench.sh <$(ls "$ROOT/bench" | tr '\n' '|')install>"
ensure_node
ensure_yarn
ensure_services
case "$name" in
  install) exec "$ROOT/bench/install/run.sh" ;;
  # Dev servers, not the built portal.
  quickstart) exec node "$ROOT/bench/quickstart/run.js" ;;
esac
[ -f "$ROOT/bench/$name/run.js" ] || die "no benchmark bench/$name"
[ -f "$TOOLS/dist/packages/backend/package.json" ] || "$ROOT/scripts/build-dist.sh"
exec node "$ROOT/bench/$name/run.js"
