#!/usr/bin/env bash
# make bench: runs every bench/*.sh (each compares gorca with its Go oracle on one large
# input, side by side, and prints ratios). Outputs stay in bench/out (ignored by git).
set -u
cd "$(dirname "$0")/.."
status=0
for b in bench/*.sh; do
    [ "$b" = bench/run.sh ] && continue
    echo "== $b"
    bash "$b" || status=1
done
exit $status
