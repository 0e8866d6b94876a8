#!/usr/bin/env bash
# Records the gc_stw fixture: builds stwpause with Go VERSION, drives /work with the scenario
# load generator, captures a 1 s window with gorca capture and trims it (record-lib.bash).
# usage: record.sh VERSION OUTDIR
. "$(dirname "$0")/../../record-lib.bash"
v=$1 out=$2
bins=$(testdata/go/scenarios/build.sh "$v")
rec_init stwpause
gen_build stwpause "$v"
rec_start "$tmp/stwpause"
rec_load "$bins/loadgen" -url "$url" -paths /work -d 4s -c 64 -rate 50
sleep 1
rec_capture "$out" 1
rec_finish "$out"
