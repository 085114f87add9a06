#!/usr/bin/env bash
# Clean install time: a fresh clone of this repository (no node_modules, no
# .tools), installed with the quick start's own bootstrap, as CI does it.
# The Yarn package cache of the machine is kept (cold cache figures depend on
# the network more than on the project); the baseline, measured in the same
# run, is a second install in the same clone with node_modules in place.
source "$(dirname "$0")/../../scripts/lib.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$ROOT" "$work/portal"
cd "$work/portal"
t0=$SECONDS
CI=true bash -c 'source scripts/lib.sh && install_deps' >"$work/install.log" 2>&1 || {
  tail -30 "$work/install.log"
  die "install failed"
}
clean=$((SECONDS - t0))
t0=$SECONDS
CI=true bash -c 'source scripts/lib.sh && install_deps' >>"$work/install.log" 2>&1
again=$((SECONDS - t0))
size="$(du -sh node_modules | cut -f1)"
ratio="$(awk -v a="$clean" -v b="$again" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')"

section="<!-- bench:install:start -->
## Clean install (\`./scripts/bench.sh install\`)

Measured $(date -u +%F) on $(nproc) cores: a fresh clone installed by the quick start's bootstrap (Node 22 and Yarn 4 from the npm registry, \`yarn install --immutable\`, native addons built), with the machine's Yarn cache warm.

| what | time |
| --- | ---: |
| clean install (fresh clone) | ${clean} s |
| baseline: second install, nothing to do | ${again} s |
| ratio | ${ratio}x |

node_modules: ${size}.
<!-- bench:install:end -->"
node -e '
const fs = require("fs"); const [file, name, section] = process.argv.slice(1);
let text = fs.readFileSync(file, "utf8");
const re = new RegExp(`<!-- bench:${name}:start -->[\\s\\S]*?<!-- bench:${name}:end -->`);
text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, text);' "$ROOT/docs/benchmarks.md" install "$section"
echo "$section"
