#!/usr/bin/env bash
# Sends one batch of failing messages through the local RabbitMQ (started if
# needed) into the queue `yarn start` consumes as the `dev` environment
# (which also keeps a low stream going by itself).
# Usage: scripts/dead-letter-traffic.sh [messages per service]
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_services
exec node "$ROOT/scripts/dead-letter-traffic.js" "$@"
