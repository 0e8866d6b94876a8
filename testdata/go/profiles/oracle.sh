#!/usr/bin/env bash
# Records oracle outputs for the profiles in DIR with the given go binary: DIR/<profile>.raw.gz
# (go tool pprof -raw, gzip'd) for every DIR/<profile>.pb.gz, and DIR/<case>.top (go tool pprof
# -top) for every case of testdata/pprof/cases.txt whose profiles exist in DIR. TZ=UTC, so the
# Time: lines are stable. -symbolize=none: a profile whose mapping lacks has_functions (Go
# sometimes writes delta profiles so) would otherwise be re-symbolised from the binary while
# it still exists on disk, which gorca (and any later reader) cannot do. Used by gen.sh and
# by the fresh-oracle test (which sets ORACLE_SKIP_RAW=1 and a shorter CASES file).
# usage: oracle.sh GO DIR [CASES]
set -euo pipefail
go=$1
dir=$2
cases=${3:-$(cd "$(dirname "$0")/../../pprof" && pwd)/cases.txt}
export TZ=UTC GOTOOLCHAIN=local GOPROXY=off
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for f in "$dir"/*.pb.gz; do
    [ "${ORACLE_SKIP_RAW:-0}" = 1 ] && break
    "$go" tool pprof -symbolize=none -raw "$f" 2>"$err" | gzip -n -9 >"${f%.pb.gz}.raw.gz"
done
set -f # case options hold regexes, not globs
while read -r name profs opts; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    files=() base=() missing=0
    IFS=, read -ra ps <<<"$profs"
    for p in "${ps[@]}"; do
        f=$dir/${p#base:}.pb.gz
        [ -f "$f" ] || missing=1
        if [[ $p == base:* ]]; then base+=(-base "$f"); else files+=("$f"); fi
    done
    [ "$missing" = 0 ] || continue
    # shellcheck disable=SC2086 # options are whitespace-separated words without spaces
    if ! "$go" tool pprof -symbolize=none -top $opts "${base[@]}" "${files[@]}" >"$dir/$name.top" \
        2>"$err"; then
        echo "oracle.sh: go tool pprof failed for case $name:" >&2
        cat "$err" >&2
        exit 1
    fi
done <"$cases"
