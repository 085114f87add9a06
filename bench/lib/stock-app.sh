#!/usr/bin/env bash
# Makes (once) a stock Backstage app to measure against: what
# `@backstage/create-app` of the version this portal was created with gives,
# unchanged except for the project's own `resolutions` (the registry pins a
# fresh create-app needs on these machines, see package.json), installed into
# the ignored folder .tools/stock-app. Prints its path.
source "$(dirname "$0")/../../scripts/lib.sh"

CREATE_APP_VERSION=0.9.2 # backstage.json: the same Backstage release
STOCK="$TOOLS/stock-app"
ensure_node
ensure_yarn

if [ ! -f "$STOCK/.installed-$CREATE_APP_VERSION-lock" ]; then
  rm -rf "$STOCK"
  log "Creating a stock Backstage app with @backstage/create-app@$CREATE_APP_VERSION in .tools/stock-app"
  echo stock-portal | npx -y "@backstage/create-app@$CREATE_APP_VERSION" \
    --path "$STOCK" --skip-install >&2 || die "create-app failed"
  node -e '
    const fs = require("fs");
    const [stockFile, oursFile] = process.argv.slice(1);
    const stock = JSON.parse(fs.readFileSync(stockFile, "utf8"));
    const ours = JSON.parse(fs.readFileSync(oursFile, "utf8"));
    stock.resolutions = { ...ours.resolutions, ...stock.resolutions };
    fs.writeFileSync(stockFile, JSON.stringify(stock, null, 2) + "\n");
  ' "$STOCK/package.json" "$ROOT/package.json"
  # The bundled Yarn is not used: the project's own Yarn 4 is on PATH.
  sed -i '/^yarnPath:/d' "$STOCK/.yarnrc.yml"
  # create-app's seed lockfile cannot be downloaded here, and the newest of
  # every package do not fit together (signals-backend ahead of
  # backend-defaults); start from this project's lockfile, so the packages
  # both apps share resolve to the same versions.
  cp "$ROOT/yarn.lock" "$STOCK/yarn.lock"
  (cd "$STOCK" && yarn install >&2) || die "installing the stock app failed"
  touch "$STOCK/.installed-$CREATE_APP_VERSION-lock"
fi
echo "$STOCK"
