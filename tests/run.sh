#!/usr/bin/env bash
# Runs every test of gorca against the build in $GORCA_BUILD (default build): the C unit-test
# programs, the fuzz-corpus regression drivers, and every tests/*/*.sh script test (CLI cases,
# oracle comparisons, end-to-end scenarios). Each piece prints "# name: P passed, F failed,
# S skipped"; the last line of this script is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
export GORCA_ROOT=$PWD
export GORCA_BUILD=${GORCA_BUILD:-build}
export GORCA_BIN=$GORCA_ROOT/$GORCA_BUILD/gorca
log=$(mktemp /tmp/gorca-tests.XXXXXX)
trap 'rm -f "$log"' EXIT
pass=0 fail=0 skip=0 crashed=()
filter=${GORCA_TEST_FILTER:-}

run_one() { # name, command...
    local name=$1; shift
    if [ -n "$filter" ] && [[ "$name" != *$filter* ]]; then return; fi
    local out rc
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" >>"$log"
    local line
    line=$(printf '%s\n' "$out" | grep -E '^# .*: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -n 30
        echo "# $name: crashed or printed no summary (exit $rc)"
        crashed+=("$name"); fail=$((fail + 1)); return
    fi
    local p f s
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
    if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
        printf '%s\n' "$out" | grep -E '^(FAIL|skip)|ERROR|Sanitizer|runtime error' | head -n 40
        if [ "$f" = 0 ]; then f=1; crashed+=("$name"); fi
    fi
    echo "$line"
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

for t in $(find "$GORCA_BUILD/tests" -type f -perm -u+x -name 'test_*' 2>/dev/null | sort); do
    run_one "$(basename "$t")" "$t"
done
for t in $(find "$GORCA_BUILD/fuzz" -type f -perm -u+x -name 'regress_*' 2>/dev/null | sort); do
    h=${t##*/regress_fuzz_}
    run_one "regress_$h" "$t" fuzz/corpus/"$h" tests/data/crashers
done
for t in $(ls tests/*/*.sh 2>/dev/null | sort); do
    run_one "$(basename "$t")" bash "$t"
done
[ "${#crashed[@]}" -gt 0 ] && echo "crashed or failing exit: ${crashed[*]}"
[ "$skip" -gt 0 ] && echo "($skip skipped)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
