#!/usr/bin/env bash
# Builds this program with Go VERSION, runs it to write real profiles of every kind, and
# records that version's go tool pprof outputs next to them (oracle.sh).
# usage: gen.sh VERSION [OUTDIR]    (default OUTDIR: testdata/pprof/goVERSION)
# ORACLE_CASES=FILE uses another cases file; ORACLE_SKIP_RAW=1 skips the -raw outputs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
v=$1
out=${2:-$root/testdata/pprof/go$v}
go=$("$root/scripts/go-env.sh" "$v")
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && "$go" build -trimpath -o "$tmp/profiles" .)
mkdir -p "$out"
rm -f "$out"/*.pb.gz "$out"/*.raw.gz "$out"/*.top
"$tmp/profiles" "$out"
bash "$here/oracle.sh" "$go" "$out" ${ORACLE_CASES:+"$ORACLE_CASES"}
