#!/usr/bin/env bash
# Two replicas of the built portal on the local PostgreSQL and RabbitMQ:
# simultaneous cold start, a drain with SIGTERM and SIGKILL, every message
# stored exactly once, a redelivery job taken over, and the portal used in
# Chromium through a load balancer while each replica restarts
# (scripts/replicas-test.js).
# Usage: scripts/replicas-test.sh   (REPLICAS_MESSAGES to change the 50,000)
source "$(dirname "$0")/lib.sh"

DIST="${DIST:-$TOOLS/dist}"
export DIST
ensure_node
ensure_services
ensure_chromium
pg_up && rabbit_up || die "PostgreSQL and RabbitMQ are required for the replicas test"
command -v rabbitmqctl >/dev/null 2>&1 || die "rabbitmqctl is required for the replicas test"
[ -f "$DIST/packages/backend/package.json" ] || "$ROOT/scripts/build-dist.sh" "$DIST"
cd "$ROOT"
exec node "$ROOT/scripts/replicas-test.js"
