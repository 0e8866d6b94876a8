#!/usr/bin/env bash
# Fresh fixtures: when a Go toolchain is installed, regenerates the goroutine-dump fixtures
# with the newest one (testdata/go/dumps/gen.sh into testdata/fresh/dump, not committed) and
# runs the fixture assertions of test_dump_fixtures on them, so the tests hold for new runtime
# output and not only for the committed files. Skipped without Go, and in the sanitizer run
# (the same assertions already ran there on the committed fixtures).
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
build=${GORCA_BUILD:-build}
name=fresh.sh
if [ -n "${GORCA_SANITIZED:-}" ]; then
    echo "# $name: 0 passed, 0 failed, 1 skipped (sanitizer run)"
    exit 0
fi
v=$(scripts/go-env.sh --list 2>/dev/null | tail -n 1)
if [ -z "$v" ]; then
    echo "skip: no Go toolchain installed"
    echo "# $name: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
out=testdata/fresh/dump/go$v
rm -rf "$out"
mkdir -p "$out"
if ! bash testdata/go/dumps/gen.sh "$v" "$PWD/$out" >"$out.log" 2>&1; then
    echo "FAIL gen.sh $v:"
    tail -n 20 "$out.log"
    echo "# $name: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
res=$(GORCA_DUMP_DIR=testdata/fresh/dump "$build/tests/dump/test_dump_fixtures" 2>&1)
rc=$?
printf '%s\n' "$res" | grep -E '^(FAIL|skip)' | head -n 20
line=$(printf '%s\n' "$res" | grep -E '^# test_dump_fixtures:' | tail -n 1)
p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
s=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")
if [ -z "$line" ] || [ "$rc" != 0 ]; then f=$((${f:-0} + 1)); fi
echo "# $name: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
[ "${f:-0}" = 0 ]
