#!/usr/bin/env bash
# Installs everything and starts the portal with the sample organisation on
# embedded defaults: frontend on http://localhost:3000, backend on :7007,
# SQLite in memory, guest sign-in, TechDocs built locally with mkdocs, and
# (scripts/quickstart.js) a local release-manager and, with RabbitMQ, dead
# letters flowing into a `dev` environment.
source "$(dirname "$0")/lib.sh"

install_deps
ensure_mkdocs
# Dead letters need a broker: start the local one when it is installed. Without
# it the Dead Letter page shows labelled sample data.
start_rabbitmq || warn "RabbitMQ is not available: the Dead Letter page shows sample data"
cd "$ROOT"
log "Starting the portal: http://localhost:3000 (backend http://localhost:7007)"
exec yarn start
