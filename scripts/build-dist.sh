#!/usr/bin/env bash
# Builds the production backend (which serves the built frontend) and lays it
# out exactly as the Dockerfile does, without Docker:
#   yarn build:backend -> skeleton.tar.gz + bundle.tar.gz
#   unpack the skeleton, `yarn workspaces focus --all --production`,
#   copy examples/ and config, unpack the bundle.
# Usage: scripts/build-dist.sh [DEST]   (default .tools/dist)
source "$(dirname "$0")/lib.sh"

DEST="${1:-$TOOLS/dist}"
ensure_node
ensure_yarn
cd "$ROOT"

log "Building the backend bundle (frontend included)"
yarn build:backend

log "Laying out the production image in $DEST"
rm -rf "$DEST"
mkdir -p "$DEST"
cp .yarnrc.yml backstage.json yarn.lock package.json "$DEST/"
tar xzf packages/backend/dist/skeleton.tar.gz -C "$DEST"
(cd "$DEST" && NODE_ENV=production yarn workspaces focus --all --production)
cp -r examples "$DEST/examples"
cp -r templates "$DEST/templates"
cp catalog-info.yaml mkdocs.yml app-config*.yaml "$DEST/"
cp -r docs "$DEST/docs"
# Catalog entities of the portal's own APIs (plugins/*/catalog-info.yaml).
for f in plugins/*/catalog-info.yaml; do
  mkdir -p "$DEST/$(dirname "$f")"
  cp "$f" "$DEST/$f"
done
tar xzf packages/backend/dist/bundle.tar.gz -C "$DEST"
log "Production layout ready: node packages/backend --config app-config.yaml --config app-config.production.yaml (in $DEST)"
