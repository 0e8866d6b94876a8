#!/usr/bin/env bash
# End-to-end cases for `gorca trace stats` and `gorca trace events` on the committed fixtures
# (testdata/trace, recorded from testdata/go/traces): facts the fixture program was written to
# show (its 7 tasks, 8 regions, 8 logs, one "read mem stats" and two "GOMAXPROCS" pauses, a
# restarted trace whose first generation is not 1), filters, output formats, and the exact
# messages and exit codes for bad, legacy, cut, compressed and piped inputs.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0
tmp=$(mktemp -d /tmp/gorca-tracecli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect() { # description, condition command...
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

for v in 1.22 1.23 1.24 1.25 1.26; do
    f=testdata/trace/go$v/main.trace
    "$bin" trace stats --json "$f" >"$tmp/s.json" 2>"$tmp/s.err"
    expect "go$v stats exit 0" test $? = 0
    expect "go$v stats is JSON" python3 -m json.tool "$tmp/s.json" >/dev/null
    minor=${v#1.}
    [ "$v" = 1.24 ] && minor=23 # Go 1.24 writes the Go 1.23 format
    expect "go$v version" test "$(jget "$tmp/s.json" 'd["go_version"]')" = "1.$minor"
    expect "go$v complete" test "$(jget "$tmp/s.json" 'd["complete"]')" = True
    expect "go$v several generations" test "$(jget "$tmp/s.json" 'd["generations"]')" -ge 2
    expect "go$v 7 tasks" test "$(jget "$tmp/s.json" 'd["tasks"]')" = 7
    expect "go$v 8 regions" test "$(jget "$tmp/s.json" 'd["regions"]')" = 8
    expect "go$v 8 logs" test "$(jget "$tmp/s.json" 'd["logs"]')" = 8
    expect "go$v goroutines created" test "$(jget "$tmp/s.json" 'd["goroutines"]["created"]')" -ge 40
    expect "go$v goroutines ended" test "$(jget "$tmp/s.json" 'd["goroutines"]["ended"]')" -ge 30
    expect "go$v GC cycles" test "$(jget "$tmp/s.json" 'd["gc_cycles"]')" -ge 3
    expect "go$v STW pauses" test "$(jget "$tmp/s.json" 'd["stw"]["count"]')" -ge 8
    expect "go$v CPU samples" test "$(jget "$tmp/s.json" 'd["cpu_samples"]')" -ge 1
    expect "go$v duration" test "$(jget "$tmp/s.json" 'd["duration_ns"]')" -gt 100000000
    "$bin" trace events "$f" >"$tmp/ev.txt"
    expect "go$v one read-mem-stats pause" test \
        "$(grep -c 'STWBegin .*stop-the-world (read mem stats)' "$tmp/ev.txt")" = 1
    expect "go$v two GOMAXPROCS pauses" test \
        "$(grep -c 'STWBegin .*stop-the-world (GOMAXPROCS)' "$tmp/ev.txt")" = 2
    expect "go$v blocking syscalls that lose the P" grep -q GoSyscallEndBlocked "$tmp/ev.txt"
    expect "go$v network waits" grep -q 'reason="network"' "$tmp/ev.txt"
    expect "go$v channel waits" grep -q 'reason="chan receive"' "$tmp/ev.txt"
    expect "go$v select waits" grep -q 'reason="select"' "$tmp/ev.txt"
    expect "go$v mutex waits" grep -q 'reason="sync"' "$tmp/ev.txt"
    expect "go$v mark assists" grep -q 'GCMarkAssistBegin' "$tmp/ev.txt"
    "$bin" trace events --stacks "$f" >"$tmp/evs.txt"
    expect "go$v fsync stack" grep -qF 'os.(*File).Sync' "$tmp/evs.txt"
    expect "go$v task type" grep -q 'UserTaskBegin .*type="httpHandler"' "$tmp/ev.txt"
    if [ "$v" != 1.22 ]; then
        expect "go$v coroutine switches" grep -q GoSwitch "$tmp/ev.txt"
    fi
    "$bin" trace stats --json testdata/trace/go$v/restart.trace >"$tmp/r.json"
    expect "go$v restarted trace starts after generation 1" \
        test "$(jget "$tmp/r.json" 'd["first_generation"]')" -gt 1
done

f=testdata/trace/go1.26/main.trace
# --goroutine: every line is about goroutine 1.
"$bin" trace events --goroutine 1 "$f" | tail -n +2 >"$tmp/g1.txt"
expect "goroutine filter keeps lines" test -s "$tmp/g1.txt"
expect "goroutine filter only G1" test -z "$(awk '$4 != "1" && $0 !~ / G1 / && $0 !~ /on G1( |$)/' "$tmp/g1.txt")"
# --from/--to: relative times inside the window.
"$bin" trace events --from 50ms --to 60ms "$f" | tail -n +2 | awk '{print $1}' >"$tmp/t.txt"
expect "time window not empty" test -s "$tmp/t.txt"
expect "time window bounds" test -z "$(awk '$1 < 0.05 || $1 >= 0.06' "$tmp/t.txt")"
expect "limit" test "$("$bin" trace events --limit 5 "$f" | wc -l)" = 6
"$bin" trace events --json --limit 50 "$f" >"$tmp/e.json"
expect "events JSON" test "$(jget "$tmp/e.json" 'len(d)')" = 50
expect "events JSON fields" test "$(jget "$tmp/e.json" 'd[1]["kind"]')" = StateTransition
# gzip and stdin give the same statistics.
"$bin" trace stats "$f" | tail -n +2 >"$tmp/plain.txt"
gzip -c "$f" >"$tmp/t.gz"
"$bin" trace stats "$tmp/t.gz" | tail -n +2 | grep -v '^size' >"$tmp/gz.txt"
expect "gzip input" diff <(grep -v '^size' "$tmp/plain.txt") "$tmp/gz.txt"
cat "$f" | "$bin" trace stats - | tail -n +2 | grep -v '^size' >"$tmp/stdin.txt"
expect "stdin input" diff <(grep -v '^size' "$tmp/plain.txt") "$tmp/stdin.txt"

# Errors: exact messages and exit codes.
printf 'go 1.21 trace\0\0\0' >"$tmp/legacy.trace"
"$bin" trace stats "$tmp/legacy.trace" >/dev/null 2>"$tmp/err"
expect "legacy exit 1" test $? = 1
expect "legacy message" grep -qF "offset 0 (header): legacy trace format \"go 1.21\" (written by Go 1.21-1.21) is not supported; gorca reads traces of Go 1.22 and newer" "$tmp/err"
printf 'hello world, not a trace' >"$tmp/junk"
"$bin" trace stats "$tmp/junk" >/dev/null 2>"$tmp/err"
expect "junk exit 1" test $? = 1
expect "junk message" grep -qF "not a Go execution trace" "$tmp/err"
"$bin" trace stats "$tmp/missing.trace" >/dev/null 2>"$tmp/err"
expect "missing exit 1" test $? = 1
expect "missing message" grep -qF "cannot open: No such file or directory" "$tmp/err"
"$bin" trace stats --bogus "$f" >/dev/null 2>&1
expect "bad option exit 2" test $? = 2
"$bin" trace nosuch "$f" >/dev/null 2>"$tmp/err"
expect "unknown subcommand exit 2" test $? = 2
expect "unknown subcommand message" grep -qF "'nosuch' is not a trace subcommand" "$tmp/err"
"$bin" trace --help >"$tmp/help"
expect "trace help lists stats" grep -q '^  stats' "$tmp/help"
expect "trace help lists events" grep -q '^  events' "$tmp/help"
# A capture cut short: the complete generations are reported, with a warning, exit 0.
size=$(wc -c <"$f")
head -c $((size * 3 / 4)) "$f" >"$tmp/cut.trace"
"$bin" trace stats --json "$tmp/cut.trace" >"$tmp/cut.json" 2>"$tmp/err"
expect "cut exit 0" test $? = 0
expect "cut warning" grep -q "gorca: warning: .*cut.trace': offset" "$tmp/err"
expect "cut incomplete" test "$(jget "$tmp/cut.json" 'd["complete"]')" = False
expect "cut has generations" test "$(jget "$tmp/cut.json" 'd["generations"]')" -ge 1
# Corrupt data in a generation: an error naming the generation, exit 1.
python3 - "$f" "$tmp/corrupt.trace" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[16] = 0x07  # the first batch's type byte
open(sys.argv[2], 'wb').write(d)
EOF
"$bin" trace stats "$tmp/corrupt.trace" >/dev/null 2>"$tmp/err"
expect "corrupt exit 1" test $? = 1
expect "corrupt message" grep -qF "offset 16 (batch header): expected batch event (0x01), got byte 0x07" "$tmp/err"

echo "# cli.sh: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
