#!/usr/bin/env bash
# Fresh profiles at test time: builds and runs testdata/go/profiles with Go 1.26 and Go 1.22
# (when installed), lets that version's go tool pprof -top print a dozen cases, and compares
# gorca top with it: the committed goldens cannot hide a regression that only new runtime
# output would show. Skips cleanly without Go.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=$PWD/${GORCA_BIN#$PWD/}
[ -x "$bin" ] || bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
grep -E '^(cpu |cpu\.n5|cpu\.hide|cpu\.focus |heap |heap\.alloc_space|allocs |block |mutex |goroutine |delta-goroutine |delta-allocs |merge\.cpu |base\.cpu)' \
    testdata/pprof/cases.txt >"$tmp/cases"
for v in 1.26 1.22; do
    if ! scripts/go-env.sh "$v" >/dev/null 2>&1; then
        echo "skip fresh profiles with Go $v: not installed"
        skip=$((skip + 1))
        continue
    fi
    out=$tmp/go$v
    if ! ORACLE_CASES=$tmp/cases ORACLE_SKIP_RAW=1 bash testdata/go/profiles/gen.sh "$v" "$out" \
        >"$tmp/gen.log" 2>&1; then
        echo "FAIL generating fresh profiles with Go $v:"
        tail -n 20 "$tmp/gen.log"
        fail=$((fail + 1))
        continue
    fi
    mkdir -p "$tmp/tree/testdata/pprof"
    rm -rf "$tmp/tree/testdata/pprof/go$v"
    cp -r "$out" "$tmp/tree/testdata/pprof/go$v"
    cp "$tmp/cases" "$tmp/tree/testdata/pprof/cases.txt"
    (cd "$tmp/tree" && GORCA_ROOT=$tmp/tree GORCA_BIN=$bin bash "$OLDPWD/tests/pprof/golden_top.sh") \
        >"$tmp/res" 2>&1
    line=$(grep '^# golden_top:' "$tmp/res")
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    [ -n "$p" ] || { p=0; f=1; }
    grep '^FAIL' -A 10 "$tmp/res" | sed "s/^FAIL/FAIL (fresh)/"
    pass=$((pass + p))
    fail=$((fail + f))
    rm -rf "$tmp/tree/testdata/pprof/go$v"
done
echo "# fresh_oracle: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
