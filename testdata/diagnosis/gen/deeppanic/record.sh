#!/usr/bin/env bash
# Records the panic fixtures: builds deeppanic with Go VERSION (and the given flags), drives
# /eval and /price with the scenario load generator at 300 requests per second, captures a 1 s
# window with gorca capture and trims it (record-lib.bash).
# usage: record.sh VERSION OUTDIR [SERVICE FLAGS...]
. "$(dirname "$0")/../../record-lib.bash"
v=$1 out=$2
shift 2
bins=$(testdata/go/scenarios/build.sh "$v")
rec_init deeppanic
gen_build deeppanic "$v"
rec_start "$tmp/deeppanic" "$@"
rec_load "$bins/loadgen" -url "$url" -paths /eval,/price,/price -d 4s -c 64 -rate 300
sleep 1
rec_capture "$out" 1
rec_finish "$out"
