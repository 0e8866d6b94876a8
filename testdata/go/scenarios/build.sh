#!/usr/bin/env bash
# Builds the scenario service, the load generator and the fault server with one installed Go
# version into OUTDIR (default build/scenarios/go<VERSION> in the repository), skipping the
# build when the binaries are newer than every source file. Prints OUTDIR on success.
# usage: testdata/go/scenarios/build.sh VERSION [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
v=${1:?usage: build.sh VERSION [OUTDIR]}
out=${2:-$root/build/scenarios/go$v}
go=$("$root/scripts/go-env.sh" "$v") || { echo "build.sh: Go $v is not installed" >&2; exit 1; }
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
mkdir -p "$out"
for prog in service loadgen faultserver; do
    bin=$out/$prog
    if [ -x "$bin" ] && [ -z "$(find "$here/$prog" "$here/internal" "$here/go.mod" -newer "$bin" -print -quit)" ]; then
        continue
    fi
    # Build into a temporary name first, so concurrent callers never run a half-written binary.
    (cd "$here" && "$go" build -o "$bin.tmp.$$" "./$prog") && mv -f "$bin.tmp.$$" "$bin"
done
echo "$out"
