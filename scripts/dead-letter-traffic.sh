#!/usr/bin/env bash
# Sends failing messages through the local RabbitMQ (started if needed), so
# the Dead Letter page shows real dead letters. Run the portal with
#   yarn start --config "$PWD/app-config.yaml" --config "$PWD/examples/app-config.dead-letter.yaml"
# to consume them. Usage: scripts/dead-letter-traffic.sh [messages per service]
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_services
exec node "$ROOT/scripts/dead-letter-traffic.js" "$@"
