#!/usr/bin/env bash
# Installs the servers that `npm test` starts on its own: PostgreSQL (Debian's
# packages), FerretDB 1.24.2 (built from source with Go, because no MongoDB
# server build can be installed on these machines), and MinIO for the S3 tests
# (scripts/install-minio.sh).
# Idempotent: each part is skipped when already present.
#
# Environment:
#   FERRETDB_DEST   where to put the ferretdb binary (default /usr/local/bin when
#                   writable, else ${XDG_CACHE_HOME:-$HOME/.cache}/stowage/bin)
#   STOWAGE_SKIP_MONGO_TESTS=1  do not install FerretDB (the Mongo tests are then skipped)
set -euo pipefail

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stowage"

log() { echo "[install-test-servers] $*"; }
die() { echo "[install-test-servers] ERROR: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    # -n: CI has no stdin, so a password prompt would hang instead of failing.
    sudo -n "$@"
  else
    die "need root to run: $*"
  fi
}

install_postgresql() {
  local initdb
  initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$initdb" ]; then
    log "PostgreSQL server binaries present: $("$initdb" --version) ($(dirname "$initdb"))"
    return
  fi
  log "PostgreSQL server binaries missing: installing Debian packages postgresql postgresql-client postgresql-contrib"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends postgresql postgresql-client postgresql-contrib
  initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$initdb" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  log "PostgreSQL installed: $("$initdb" --version)"
  if ! id postgres >/dev/null 2>&1; then
    die "the Debian package did not create the 'postgres' user the test harness runs the server as"
  fi
}

# Prints the path of a working ferretdb of the wanted version, if any.
find_ferretdb() {
  local candidate
  for candidate in \
    "${FERRETDB_DEST:+$FERRETDB_DEST/ferretdb}" \
    "$(command -v ferretdb 2>/dev/null || true)" \
    "$HOME/go/bin/ferretdb" \
    /usr/local/bin/ferretdb \
    "$CACHE_ROOT/bin/ferretdb"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    # A build without build/version/version.txt panics on start; --version catches that too.
    if "$candidate" --version 2>/dev/null | grep -q "version: $FERRETDB_VERSION\$"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

go_binary() {
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  if [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go; return; fi
  return 1
}

install_ferretdb() {
  if [ "${STOWAGE_SKIP_MONGO_TESTS:-}" = 1 ]; then
    log "!!! STOWAGE_SKIP_MONGO_TESTS=1: not installing FerretDB; MongoDB tests will be SKIPPED !!!"
    return
  fi
  local found
  if found=$(find_ferretdb); then
    log "FerretDB present: $found ($FERRETDB_VERSION)"
    return
  fi

  local dest="${FERRETDB_DEST:-}"
  if [ -z "$dest" ]; then
    if [ -w /usr/local/bin ]; then dest=/usr/local/bin; else dest="$CACHE_ROOT/bin"; fi
  fi
  mkdir -p "$dest"

  local go
  go=$(go_binary) || die "Go >= 1.24 is needed to build FerretDB $FERRETDB_VERSION (https://go.dev/dl); Debian bookworm's golang-go is too old"
  local gover
  gover=$("$go" env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n' 1.24 "$gover" | sort -V | head -n 1)" != 1.24 ]; then
    die "Go $gover is too old to build FerretDB $FERRETDB_VERSION (needs >= 1.24)"
  fi

  # Serialises concurrent runs of this script: two go builds at once on a
  # 2-core machine only make both slow.
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/ferretdb-build.lock"
  flock 9
  if found=$(find_ferretdb); then
    log "FerretDB present (built by a concurrent run): $found"
    return
  fi

  log "building FerretDB $FERRETDB_VERSION with $("$go" version) into $dest/ferretdb"
  # `go install ...@v1.24.2` fails (the proxy's deprecation lookup answers 403),
  # so the build goes through a throwaway module. The Go module and build caches
  # (GOMODCACHE, GOCACHE) are left at their defaults so later builds are fast.
  local work="$CACHE_ROOT/ferretdb-build"
  rm -rf "$work"
  mkdir -p "$work"
  (
    cd "$work"
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod
    "$go" mod init stowage-ferretdb-build >/dev/null 2>&1
    "$go" get "$FERRETDB_MODULE@$FERRETDB_VERSION"
    # FerretDB refuses to start without build/version/version.txt, which its
    # release tooling generates and the module zip lacks: build from a copy of
    # the module source with that file added.
    local src
    src=$("$go" list -m -f '{{.Dir}}' "$FERRETDB_MODULE")
    cp -r "$src" ferretdb-src
    chmod -R u+w ferretdb-src
    echo "$FERRETDB_VERSION" >ferretdb-src/build/version/version.txt
    echo "source" >ferretdb-src/build/version/package.txt
    "$go" mod edit -replace "$FERRETDB_MODULE=./ferretdb-src"
    cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
EOF
    "$go" mod tidy
    "$go" build -trimpath -o ferretdb.new "$FERRETDB_MODULE/cmd/ferretdb"
  )
  install -m 0755 "$work/ferretdb.new" "$dest/ferretdb"
  rm -rf "$work"
  "$dest/ferretdb" --version | grep -q "version: $FERRETDB_VERSION\$" ||
    die "built $dest/ferretdb but it does not report $FERRETDB_VERSION"
  log "FerretDB installed: $dest/ferretdb ($FERRETDB_VERSION)"
}

install_postgresql
install_ferretdb
# MinIO has an installer of its own; run it from here so one command sets up every test server.
bash "$(dirname "$0")/install-minio.sh"
