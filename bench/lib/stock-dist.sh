#!/usr/bin/env bash
# Builds the stock Backstage app (bench/lib/stock-app.sh) the way the
# portal's Dockerfile and scripts/build-dist.sh build ours: `build:backend`
# (frontend included), the skeleton unpacked, a production install, the
# bundle unpacked, its examples and config copied. The result runs with
# `node packages/backend --config app-config.yaml --config
# app-config.production.yaml` from .tools/stock-dist, so startup is compared
# like for like. Prints its path.
source "$(dirname "$0")/../../scripts/lib.sh"

STOCK="$("$ROOT/bench/lib/stock-app.sh")"
DEST="$TOOLS/stock-dist"
ensure_node
ensure_yarn

if [ ! -f "$DEST/packages/backend/package.json" ]; then
  log "Building the stock app's backend (frontend included) into .tools/stock-dist"
  (cd "$STOCK" && yarn tsc >&2 && yarn build:backend >&2) ||
    die "building the stock backend failed"
  rm -rf "$DEST"
  mkdir -p "$DEST"
  cp "$STOCK/.yarnrc.yml" "$STOCK/backstage.json" "$STOCK/yarn.lock" \
    "$STOCK/package.json" "$DEST/"
  tar xzf "$STOCK/packages/backend/dist/skeleton.tar.gz" -C "$DEST"
  (cd "$DEST" && NODE_ENV=production yarn workspaces focus --all --production >&2) ||
    die "installing the stock backend failed"
  cp -r "$STOCK/examples" "$DEST/examples"
  cp "$STOCK"/app-config*.yaml "$DEST/"
  tar xzf "$STOCK/packages/backend/dist/bundle.tar.gz" -C "$DEST"
fi
echo "$DEST"
