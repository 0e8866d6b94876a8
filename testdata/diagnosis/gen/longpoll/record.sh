#!/usr/bin/env bash
# Records the long-poll fixtures: builds longpoll (and the holdout load generator hload, which
# can POST) with Go VERSION, drives it with waits, posts and reads at 100 requests per second,
# captures a 2 s window with gorca capture and trims it (record-lib.bash).
# usage: record.sh VERSION OUTDIR
. "$(dirname "$0")/../../record-lib.bash"
v=$1 out=$2
rec_init longpoll
gen_build longpoll "$v"
gen_hload
rec_start "$tmp/longpoll"
rec_load "$tmp/hload" -url "$url" -d 5s -c 128 -rate 100 \
    -mix 'GET /rooms/{u}/wait*4,POST /rooms/{u}/messages*2,GET /rooms/{u}/info*1'
sleep 1.5
rec_capture "$out" 2
rec_finish "$out"
