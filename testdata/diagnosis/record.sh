#!/usr/bin/env bash
# Records one diagnosis fixture: runs the scenario service (testdata/go/scenarios) in MODE with
# Go VERSION under the open-loop load generator, captures a SECONDS-long bundle with
# `gorca capture`, and trims it to what the rules read (record-lib.bash; the debug=2 dump only
# with --full-dump).
#
#   testdata/diagnosis/record.sh [--full-dump] [--seconds N] VERSION MODE OUTDIR [SERVICE FLAGS...]
#   testdata/diagnosis/record.sh --full-dump 1.26 leak testdata/diagnosis/leak-go1.26
. "$(dirname "$0")/record-lib.bash"
full= secs=1
while [ $# -gt 0 ]; do
    case "$1" in
    --full-dump) full=full; shift ;;
    --seconds) secs=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || { echo "usage: $0 [--full-dump] [--seconds N] VERSION MODE OUTDIR [FLAGS...]" >&2; exit 2; }
v=$1 mode=$2 out=$3
shift 3
bins=$(testdata/go/scenarios/build.sh "$v")
rec_init record
rec_start "$bins/service" -mode "$mode" -max-lifetime 2m "$@"
rec_load "$bins/loadgen" -url "$url" -d $((secs + 3))s -c 64 -rate 200
sleep 1
rec_capture "$out" "$secs"
rec_finish "$out" $full
