#!/usr/bin/env bash
# 10 consecutive restores of one archive into fresh databases, without and with
# `restore --template-cache` (issue 14). Usage: bench/template-cache.sh ARCHIVE SERVER_URL
# SERVER_URL names the maintenance database (postgres://…/postgres); the bench
# creates bench_tplc_{plain,cached}_N and drops them at the end; the template stays
# (listed at the end; `stowage templates drop SERVER_URL NAME` removes it).
set -euo pipefail
archive=$1 server=$2 runs=${RUNS:-10}
stowage=(node "$(dirname "$0")/../dist/cli/bin.js")
url() { echo "${server%/*}/$1"; }
now() { date +%s.%N; }
for mode in plain cached; do
  flag=$([ "$mode" = cached ] && echo --template-cache || true)
  total=0
  for i in $(seq 1 "$runs"); do
    t0=$(now)
    "${stowage[@]}" restore "$archive" "$(url "bench_tplc_${mode}_$i")" --create --yes $flag >/dev/null
    dt=$(echo "$(now) - $t0" | bc)
    total=$(echo "$total + $dt" | bc)
    printf '%s run %2d: %6.2f s\n' "$mode" "$i" "$dt"
  done
  printf '%s total: %.2f s for %d restores\n' "$mode" "$total" "$runs"
done
for mode in plain cached; do
  for i in $(seq 1 "$runs"); do psql -q "$server" -c "DROP DATABASE IF EXISTS bench_tplc_${mode}_$i"; done
done
"${stowage[@]}" templates list "$server"
