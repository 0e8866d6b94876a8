#!/usr/bin/env bash
# Script tests of `gorca goroutines`: exit codes and exact error messages, the text view of a
# real Go 1.26 dump (numbers from testdata/dump/go1.26/facts.txt: what the fixture program
# parks), every input form, filters, the two-dump growth view, --json, and a gzip'd dump.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
F=testdata/dump/go1.26

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# run NAME WANT_RC ARGS...: runs gorca, keeps stdout/stderr in $tmp/out, $tmp/err.
run() {
    local name=$1 want=$2 rc
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        bad "$name: exit $rc, want $want; stderr: $(head -c 300 "$tmp/err")"
        return 1
    fi
    ok
}
# same_err NAME TEXT: stderr is exactly TEXT.
same_err() {
    if [ "$(cat "$tmp/err")" == "$2" ]; then ok; else bad "$1: stderr is '$(cat "$tmp/err")', want '$2'"; fi
}
# has NAME PATTERN: stdout contains the fixed string.
has() {
    if grep -qF -- "$2" "$tmp/out"; then ok; else bad "$1: output lacks '$2'"; fi
}
hasnt() {
    if grep -qF -- "$2" "$tmp/out"; then bad "$1: output has '$2'"; else ok; fi
}

# ---- usage and errors ------------------------------------------------------------------------
run help 0 goroutines --help && has help "usage: gorca goroutines [options] DUMP"
run no-args 2 goroutines &&
    same_err no-args "gorca: error: missing the dump to read
try 'gorca goroutines --help'"
run three-args 2 goroutines a b c &&
    same_err three-args "gorca: error: expected one dump, or two to compare
try 'gorca goroutines --help'"
run bad-class 2 goroutines --class io $F/debug2.txt &&
    same_err bad-class "gorca: error: unknown wait class 'io' (running, runnable, network, channel, select, sync, sleep, syscall, gc, other)
try 'gorca goroutines --help'"
run bad-top 2 goroutines --top x $F/debug2.txt &&
    same_err bad-top "gorca: error: invalid --top 'x': expected a number
try 'gorca goroutines --help'"
run bad-frames 2 goroutines --frames 0 $F/debug2.txt &&
    same_err bad-frames "gorca: error: invalid --frames '0': expected a number from 1 to 1000
try 'gorca goroutines --help'"
run missing 1 goroutines /nonexistent/dump.txt &&
    same_err missing "gorca: error: '/nonexistent/dump.txt': cannot open: No such file or directory"
run not-a-dump 1 goroutines $F/facts.txt &&
    same_err not-a-dump "gorca: error: '$F/facts.txt': offset 0: not a goroutine dump: expected 'goroutine <id> [<state>]:', 'goroutine profile: total <N>' or a panic/fatal error traceback"
run cpu-profile 1 goroutines testdata/pprof/go1.26/cpu.pb.gz &&
    same_err cpu-profile "gorca: error: 'testdata/pprof/go1.26/cpu.pb.gz': this is a cpu profile, not a goroutine profile"
printf 'goroutine 1 [running]:\nmain.main()\n\tmain.go:3\nmain.f()\nmain.g()\n\tmain.go:4\n' >"$tmp/bad.txt"
run malformed 1 goroutines "$tmp/bad.txt" &&
    same_err malformed "gorca: error: '$tmp/bad.txt': offset 55 (line 5): expected a file line ('\\t<path>:<line>') after the function line"

# ---- a cut dump: warning, everything before the cut, exit 0 ---------------------------------
head -c 5000 $F/debug2.txt >"$tmp/cut.txt"
kept=$(head -c 5000 $F/debug2.txt | grep -c '^goroutine ')
kept=$((kept - 1))
run truncated 0 goroutines --json "$tmp/cut.txt" && has truncated '"truncated": true' &&
    has truncated "\"goroutines\": $kept,"
grep -q "^gorca: warning: '$tmp/cut.txt': offset [0-9]* (goroutine [0-9]*): the input ends inside this goroutine's block (line [0-9]*); kept the $kept goroutines before it\$" "$tmp/err" &&
    ok || bad "truncated: warning is '$(cat "$tmp/err")'"

# ---- the text view of a real dump --------------------------------------------------------------
mutex_line=$(awk '$1=="line" && $2=="mutex" {sub(/.*:/, "", $3); print $3}' $F/facts.txt)
n_mutex=$(awk '$1=="count" && $2=="nMutex" {print $3}' $F/facts.txt)
fact() { awk -v k="$1" '$1=="count" && $2==k {print $3}' $F/facts.txt; }
total=$(grep -c '^goroutine ' $F/debug2.txt)
n_sync=$(($(fact nMutex) + $(fact nRLock) + $(fact nRWLock) + $(fact nCond) + $(fact nWaitGrp)))
run text 0 goroutines $F/debug2.txt
has text "$F/debug2.txt: goroutine dump (debug=2), $total goroutines in "
has text "sync $n_sync,"
has text "sleep $(fact nSleep),"
has text "select $(($(fact nSelect) + $(fact nNoCases))),"
has text "created by: main.buildZoo "
has text "      $n_mutex  sync.Mutex.Lock  [sync]"
has text "        sync.(*Mutex).Lock (+3 inner frames)"
grep -qE "^        main\.\(\*server\)\.hold +app/main\.go:$mutex_line\$" "$tmp/out" && ok ||
    bad "text: no hold frame at main.go:$mutex_line"
has text "        created by main.buildZoo in goroutine 1"
# no line is wider than 100 columns (the input's path on the first line aside)
if tail -n +2 "$tmp/out" | awk 'length > 100 {exit 1}'; then ok; else bad "text: a line is over 100 columns"; fi

run top 0 goroutines --top 2 $F/debug2.txt
grep -qE "^\([0-9]+ more groups with $((total - $(fact nMutex) - $(fact nSleep))) goroutines not shown\)\$" "$tmp/out" &&
    ok || bad "top: no line about the $((total - 13)) hidden goroutines"
[ "$(grep -c '^ *[0-9][0-9]*  ' "$tmp/out")" = 2 ] && ok || bad "top: not 2 groups"

run class 0 goroutines --class sync $F/debug2.txt
has class "sync.RWMutex.RLock  [sync]"
hasnt class "[channel]"
run min-count 0 goroutines --min-count 5 $F/debug2.txt
has min-count "      5  chan receive  [channel]"
hasnt min-count "      4  "
run frames 0 goroutines --frames 1 --top 1 $F/debug2.txt
hasnt frames "main.(*server).hold"

# every input form of the same program
run debug1 0 goroutines $F/debug1.txt
has debug1 "(this form records no wait states: reasons are inferred from the frames)"
has debug1 "      5  chan send/receive  [channel]"
has debug1 "        labels: req=\"42\", who=\"a\\tb\\\"c\\\\ ü\""
run proto 0 goroutines $F/goroutine.pb.gz
has proto "goroutine profile (protobuf), "
has proto "      5  chan receive  [channel]"
run crash 0 goroutines $F/crash-deadlock.txt
has crash "fatal error: all goroutines are asleep - deadlock!"
has crash "first goroutine (the one that crashed): 1"
run sigquit 0 goroutines --class gc $F/crash-sigquit.txt
has sigquit "GC worker (idle)  [gc]"
has sigquit "signal: SIGQUIT: quit"
run minutes 0 goroutines --top 1 $F/debug2-minutes.txt
has minutes "sync.Mutex.Lock  [sync], waiting >= 1 min"
gzip -c $F/debug2.txt >"$tmp/d2.txt.gz"
run gzip 0 goroutines "$tmp/d2.txt.gz" && has gzip "$total goroutines in "
run stdin 0 goroutines - <$F/crash-panic.txt && has stdin "panic: zoo failed: ..."

# ---- growth between two dumps ------------------------------------------------------------------
# new = old + 30 more goroutines parked like the mutex group (ids renumbered)
{
    cat $F/debug2.txt
    awk -v n=30 '
        /^goroutine [0-9]+ \[sync\.Mutex\.Lock\]:$/ { inb = 1; blk = ""; }
        inb { blk = blk $0 "\n"; if ($0 == "") { inb = 0; if (!done) { tmpl = blk; done = 1 } } }
        END { for (i = 0; i < n; i++) { b = tmpl; sub(/^goroutine [0-9]+/, "goroutine " 100000 + i, b); printf "\n%s", b } }
    ' $F/debug2.txt | sed '$d'
} >"$tmp/grown.txt"
run diff 0 goroutines $F/debug2.txt "$tmp/grown.txt"
has diff "$F/debug2.txt -> $tmp/grown.txt: $total -> $((total + 30)) goroutines (+30), 1 of "
has diff "by class: sync +30"
grep -qE '^ +\+30 +7 +37  sync\.Mutex\.Lock  \[sync\]$' "$tmp/out" && ok || bad "diff: no +30 row"
has diff "0 groups shrank by 0 goroutines, "
run diff-json 0 goroutines --json $F/debug2.txt "$tmp/grown.txt"
has diff-json '"delta": 30,'
has diff-json '"old": 7,'
has diff-json '"new": 37,'
# debug=1 against debug=2 of the same program: nothing in the program's own groups grew
run diff-forms 0 goroutines --class sync $F/debug1.txt $F/debug2.txt
hasnt diff-forms "[sync]"

# ---- JSON ----------------------------------------------------------------------------------------
run json 0 goroutines --json --top 1 $F/debug2.txt
has json '"format": "debug2",'
has json "\"goroutines\": $total,"
has json '"count": 7,'
has json '"reason": "sync.Mutex.Lock",'
has json '"class": "sync",'
has json '"function": "main.(*server).hold",'
[ "$(grep -c '"count":' "$tmp/out")" = 1 ] && ok || bad "json: --top 1 gave more than one group"
if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" && ok || bad "json: invalid JSON"
else
    skip=$((skip + 1))
fi

echo "# goroutines.sh: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
