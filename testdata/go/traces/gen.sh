#!/usr/bin/env bash
# Records this program's execution traces with one Go version: OUTDIR/main.trace (every event
# family gorca reads, several generations) and OUTDIR/restart.trace (a second trace.Start in
# the same process, so its first generation is not 1). The generation period is shortened to
# 100 ms so the traces stay small yet cross generation boundaries.
# usage: gen.sh VERSION [OUTDIR]      (default OUTDIR: testdata/trace/goVERSION)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
v=${1:?usage: gen.sh VERSION [OUTDIR]}
out=${2:-$root/testdata/trace/go$v}
go=$("$root/scripts/go-env.sh" "$v") || { echo "gen.sh: Go $v is not installed" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d /tmp/gorca-traces.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOFLAGS=-mod=mod \
    "$go" build -trimpath -o "$tmp/traces" .)
GODEBUG=traceadvanceperiod=100000000 "$tmp/traces" -o "$out"
