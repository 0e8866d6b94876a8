#!/usr/bin/env bash
# Records the partial-leak fixture: builds hedge with Go VERSION, drives /quote with the
# scenario load generator at 200 requests per second, captures a 2 s window after 3 s of load
# (the leak needs time to show) with the full goroutine dump, and trims it (record-lib.bash).
# usage: record.sh VERSION OUTDIR
. "$(dirname "$0")/../../record-lib.bash"
v=$1 out=$2
bins=$(testdata/go/scenarios/build.sh "$v")
rec_init hedge
gen_build hedge "$v"
rec_start "$tmp/hedge"
rec_load "$bins/loadgen" -url "$url" -paths "/quote?sku=a1,/quote?sku=b2,/quote?sku=c3" \
    -d 7s -c 64 -rate 200
sleep 3
rec_capture "$out" 2
rec_finish "$out" full
