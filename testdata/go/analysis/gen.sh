#!/usr/bin/env bash
# Regenerates the trace-analysis fixture for one Go version: builds and runs main.go (a program
# with known blocking, GC, scheduling and HTTP behaviour) under that version, then runs the
# oracle extractor: goroutine pages and MMU data from that version's `go tool trace -http`,
# blocking profiles from Go 1.26's `go tool trace -pprof` (Go 1.26 reads every trace version).
# usage: gen.sh VERSION [OUTDIR]   (default OUTDIR: testdata/analysis/goVERSION)
set -euo pipefail
v=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${2:-$root/testdata/analysis/go$v}
case $v in 1.2[2-6]) ;; *) echo "gen.sh: Go $v skipped (execution trace v2 needs 1.22+)" >&2; exit 0 ;; esac
go=$("$root/scripts/go-env.sh" "$v")
go126=$("$root/scripts/go-env.sh" 1.26)
export GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off GOFLAGS=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
(cd "$here" && "$go" build -trimpath -o "$tmp/fixture" main.go)
(cd "$here/oracle" && "$go126" build -o "$tmp/oracle" .)
(cd "$tmp" && ./fixture -o "$out/analysis.trace")
(cd "$tmp" && ./fixture -edges -o "$out/edges.trace")
# A tiny complete trace of the same version and the edges trace seed the analysis fuzzer.
mkdir -p "$root/fuzz/corpus/analysis"
(cd "$tmp" && ./fixture -mini -o "$root/fuzz/corpus/analysis/mini-go$v.trace")
cp "$out/edges.trace" "$root/fuzz/corpus/analysis/edges-go$v.trace"
"$tmp/oracle" -go "$go" -pprof-go "$go126" -trace "$out/analysis.trace" -out "$out"
echo "gen.sh: wrote $out ($(du -sh "$out" | cut -f1))"
