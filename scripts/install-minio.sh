#!/usr/bin/env bash
# Installs MinIO, the S3-compatible server the S3 repository tests run against
# (test/support/s3-server.ts starts it). MinIO publishes no Go-module release
# tags, so a fixed commit is built from source with the local Go toolchain.
# The binary is cached in a stable path, so the (slow) build happens once per
# machine. Idempotent.
#
# Environment:
#   MINIO_DEST   where to put the minio binary (default
#                ${XDG_CACHE_HOME:-$HOME/.cache}/stowage/bin)
set -euo pipefail

# The last commit of github.com/minio/minio known to the module proxy when this
# was written; it needs Go >= 1.24.
MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stowage"
DEST="${MINIO_DEST:-$CACHE_ROOT/bin}"
STAMP="$DEST/minio.version"

log() { echo "[install-minio] $*"; }
die() { echo "[install-minio] ERROR: $*" >&2; exit 1; }

present() {
  [ -x "$DEST/minio" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MINIO_VERSION" ]
}

if present; then
  log "MinIO present: $DEST/minio ($MINIO_VERSION)"
  exit 0
fi

go=$(command -v go 2>/dev/null || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
[ -n "$go" ] || die "Go >= 1.24 is needed to build MinIO (https://go.dev/dl)"
gover=$("$go" env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n' 1.24 "$gover" | sort -V | head -n 1)" != 1.24 ]; then
  die "Go $gover is too old to build MinIO $MINIO_VERSION (needs >= 1.24)"
fi

mkdir -p "$CACHE_ROOT" "$DEST"
# Serialises concurrent runs: two builds at once on a small machine only make both slow.
exec 9>"$CACHE_ROOT/minio-build.lock"
flock 9
if present; then
  log "MinIO present (built by a concurrent run): $DEST/minio"
  exit 0
fi

log "building MinIO $MINIO_VERSION with $("$go" version) into $DEST/minio (several minutes, once per machine)"
# `go install module@version` can fail on the proxy's deprecation lookup, so
# the build goes through a throwaway module that requires MinIO and imports
# its main package from a tools.go file.
work="$CACHE_ROOT/minio-build"
rm -rf "$work"
mkdir -p "$work"
(
  cd "$work"
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
  "$go" mod init stowage-minio-build >/dev/null 2>&1
  cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "github.com/minio/minio"
EOF
  "$go" get "$MINIO_MODULE@$MINIO_VERSION"
  "$go" mod tidy
  # nice: on a shared developer machine the build yields to interactive work.
  nice -n 10 "$go" build -trimpath -o minio.new "$MINIO_MODULE"
)
install -m 0755 "$work/minio.new" "$DEST/minio"
echo "$MINIO_VERSION" >"$STAMP"
rm -rf "$work"
"$DEST/minio" --version >/dev/null 2>&1 || die "built $DEST/minio but it does not run"
log "MinIO installed: $DEST/minio ($MINIO_VERSION)"
