#!/usr/bin/env bash
# Builds the holdout services (orders, gateway, jobs, feed, ledger) and the hload load generator with
# one installed Go version into OUTDIR (default build/holdout/go<VERSION>), skipping programs
# whose binary is newer than every source. Prints OUTDIR on success.
# usage: testdata/go/holdout/build.sh VERSION [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
v=${1:?usage: build.sh VERSION [OUTDIR]}
out=${2:-$root/build/holdout/go$v}
go=$("$root/scripts/go-env.sh" "$v") || { echo "build.sh: Go $v is not installed" >&2; exit 1; }
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE=${GOCACHE:-$root/build/gocache/go$v}
mkdir -p "$out"
for prog in orders gateway jobs feed ledger hload; do
    bin=$out/$prog
    if [ -x "$bin" ] && [ -z "$(find "$here/$prog" "$here/internal" "$here/go.mod" -newer "$bin" -print -quit)" ]; then
        continue
    fi
    # A temporary name first, so a concurrent caller never runs a half-written binary.
    # (A failed build must stop the script: "a && b" alone would not trip set -e.)
    (cd "$here" && "$go" build -o "$bin.tmp.$$" "./$prog") || exit 1
    mv -f "$bin.tmp.$$" "$bin"
done
echo "$out"
