#!/usr/bin/env bash
# Installs everything and starts the portal with the sample organisation on
# embedded defaults: frontend on http://localhost:3000, backend on :7007,
# SQLite in memory, guest sign-in, TechDocs built locally with mkdocs.
source "$(dirname "$0")/lib.sh"

install_deps
ensure_mkdocs
cd "$ROOT"
log "Starting the portal: http://localhost:3000 (backend http://localhost:7007)"
exec yarn start
