#!/usr/bin/env bash
# Regenerates committed fixtures and oracle outputs: runs every testdata/go/<program>/gen.sh
# for each requested Go version (default: every installed one the program supports).
# usage: scripts/gen-fixtures.sh [-p PROGRAM] [VERSION...]
set -euo pipefail
cd "$(dirname "$0")/.."
only=""
if [ "${1:-}" = "-p" ]; then only=$2; shift 2; fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(scripts/go-env.sh --list)
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
for g in testdata/go/*/gen.sh; do
    prog=$(basename "$(dirname "$g")")
    [ -z "$only" ] || [ "$only" = "$prog" ] || continue
    for v in "${versions[@]}"; do
        echo "gen-fixtures: $prog with Go $v"
        bash "$g" "$v"
    done
done
