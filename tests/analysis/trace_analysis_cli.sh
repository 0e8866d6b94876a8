#!/usr/bin/env bash
# End-to-end checks of the `gorca trace <analysis>` commands on the fixture traces: every
# command runs and emits valid JSON with its section; `gorca trace pprof` writes files that go
# tool pprof reads back, stack for stack equal to Go 1.26's `go tool trace -pprof` (golden
# files from testdata/go/analysis/gen.sh; needs Go 1.26, else skipped); option errors exit 2
# with a message; unreadable and cut traces behave as documented.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
tmp=$(mktemp -d /tmp/gorca-an-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
versions="1.22 1.23 1.24 1.25 1.26"
fx() { echo "testdata/analysis/go$1/analysis.trace"; }

# expect CODE CMD...: runs CMD, checks the exit code; output in $tmp/out, $tmp/err.
expect() {
    local want=$1 rc
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = "$want" ]; then ok; else bad "exit $rc, want $want: $* ($(head -c 300 "$tmp/err"))"; fi
}
contains() { # FILE TEXT
    if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$1")"; fi
}

# ---- every command, text and JSON, on every version --------------------------------------
have_py=0
command -v python3 >/dev/null && have_py=1
for v in $versions; do
    for c in overview goroutines gc sched timeline requests chains cpu; do
        expect 0 "$bin" trace "$c" "$(fx "$v")"
        contains "$tmp/out" "Go 1.$( [ "$v" = 1.24 ] && echo 23 || echo "${v#1.}") trace"
        expect 0 "$bin" trace "$c" --json "$(fx "$v")"
        if [ $have_py = 1 ]; then
            sec=$c
            [ "$c" = overview ] && sec=requests
            if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="gorca.trace-analysis/1" and sys.argv[2] in d, d.keys()' "$tmp/out" "$sec" 2>"$tmp/py"; then
                ok
            else
                bad "go$v trace $c --json: $(tail -n 1 "$tmp/py")"
            fi
        fi
    done
done
[ $have_py = 1 ] || { skip=$((skip + 1)); echo "skip: python3 missing, JSON not validated"; }

# ---- goroutine filters --------------------------------------------------------------------
expect 0 "$bin" trace goroutines --min-exec 100ms "$(fx 1.26)"
contains "$tmp/out" "main.gcPhase.func1"
if awk 'NR > 4 && $3 ~ /(us|ns)$/ {bad=1} END {exit bad}' "$tmp/out"; then ok; else bad "--min-exec listed a goroutine under 100ms"; fi
expect 0 "$bin" trace goroutines --min-exec 1h "$(fx 1.26)"
contains "$tmp/out" "0 goroutines executed at least"
expect 0 "$bin" trace goroutines --group main.condWaiter --sort sync "$(fx 1.26)"
contains "$tmp/out" "group main.condWaiter: 3 goroutines"
expect 0 "$bin" trace goroutines --no-system --top 1000 "$(fx 1.26)"
if grep -q '^runtime\.' "$tmp/out"; then bad "--no-system shows runtime goroutines"; else ok; fi

# ---- usage and input errors -----------------------------------------------------------------
expect 0 "$bin" trace requests --help
contains "$tmp/out" "usage: gorca trace requests"
expect 2 "$bin" trace pprof "$(fx 1.26)"
contains "$tmp/err" "--type is required"
expect 2 "$bin" trace pprof --type bogus -o "$tmp/x" "$(fx 1.26)"
contains "$tmp/err" "unknown --type 'bogus'"
expect 2 "$bin" trace goroutines --sort bogus "$(fx 1.26)"
expect 2 "$bin" trace gc --mmu 'stw|nope' "$(fx 1.26)"
expect 2 "$bin" trace sched --compat 1.21 "$(fx 1.26)"
expect 2 "$bin" trace timeline --bucket 0 "$(fx 1.26)"
expect 2 "$bin" trace cpu
expect 1 "$bin" trace overview "$tmp/missing.trace"
contains "$tmp/err" "gorca: error: '$tmp/missing.trace'"
printf 'go 1.26 trace\0\0\0\102garbage-not-a-batch' >"$tmp/corrupt.trace"
expect 1 "$bin" trace overview "$tmp/corrupt.trace"
# A trace cut in the middle: everything before the cut is analysed, with a warning, exit 0.
head -c 150000 "$(fx 1.26)" >"$tmp/cut.trace"
expect 0 "$bin" trace requests "$tmp/cut.trace"
contains "$tmp/err" "cut short"
contains "$tmp/out" "requests on"

# ---- blocking profiles through go tool pprof -------------------------------------------------
go126=$(scripts/go-env.sh 1.26 2>/dev/null || true)
if [ -z "$go126" ]; then
    skip=$((skip + 1))
    echo "skip: Go 1.26 not installed; pprof files not read back"
else
    (cd testdata/go/analysis/oracle && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off GOFLAGS= \
        "$go126" build -o "$tmp/oracle" .) || bad "building the oracle helper"
    # (every stack of every version is compared in test_blocking; here the file format)
    for v in 1.22 1.26; do
        for t in net sync syscall sched; do
            expect 0 "$bin" trace pprof --type "$t" -o "$tmp/$t.pb.gz" "$(fx "$v")"
            if GOTOOLCHAIN=local "$go126" tool pprof -raw "$tmp/$t.pb.gz" 2>/dev/null |
                "$tmp/oracle" -normalize-raw >"$tmp/ours.txt" &&
                grep -v '^#' "testdata/analysis/go$v/pprof-$t.txt" | diff -q - "$tmp/ours.txt" >/dev/null; then
                ok
            else
                bad "go$v: gorca trace pprof --type $t differs from go tool trace -pprof=$t (Go 1.26)"
            fi
        done
    done
    # --whole adds the waits go tool trace leaves out: the edges trace's request handler is in
    # one system call from before the trace to after it, so only --whole has it.
    edges=testdata/analysis/go1.26/edges.trace
    expect 0 "$bin" trace pprof --type syscall -o "$tmp/counted.pb.gz" "$edges"
    expect 0 "$bin" trace pprof --type syscall --whole -o "$tmp/whole.pb.gz" "$edges"
    GOTOOLCHAIN=local "$go126" tool pprof -raw "$tmp/counted.pb.gz" >"$tmp/counted.txt" 2>&1 || bad "go tool pprof cannot read the counted profile"
    GOTOOLCHAIN=local "$go126" tool pprof -raw "$tmp/whole.pb.gz" >"$tmp/whole.txt" 2>&1 || bad "go tool pprof cannot read the --whole profile"
    if grep -q 'main.edgeHandler' "$tmp/counted.txt"; then bad "the Go-equal profile has the in-flight call"; else ok; fi
    contains "$tmp/whole.txt" "main.edgeHandler"
    # go tool pprof -top: the handler's cumulative delay is the trace's length (about 1.2 s).
    GOTOOLCHAIN=local "$go126" tool pprof -top -sample_index=delay "$tmp/whole.pb.gz" 2>/dev/null >"$tmp/top.txt"
    if awk '/main.edgeHandler$/ { v = $4; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
            s = (u == "s") ? v : (u == "ms") ? v / 1000 : 0; found = 1; exit !(s >= 1.1 && s <= 1.5) }
            END { if (!found) exit 1 }' "$tmp/top.txt"; then ok; else
        bad "--whole: main.edgeHandler's cumulative delay is not the trace's length: $(grep edgeHandler "$tmp/top.txt")"; fi
    # --raw writes what go tool trace writes: uncompressed protobuf.
    expect 0 "$bin" trace pprof --type sched --raw -o "$tmp/raw.pb" "$(fx 1.26)"
    if [ "$(head -c 2 "$tmp/raw.pb" | od -An -tx1 | tr -d ' ')" != 1f8b ]; then ok; else bad "--raw wrote gzip"; fi
fi

# ---- uncounted waits in the overview ------------------------------------------------------
expect 0 "$bin" trace overview testdata/analysis/go1.26/edges.trace
contains "$tmp/out" "UNCOUNTED"
if [ $have_py = 1 ]; then
    expect 0 "$bin" trace pprof --json --type syscall testdata/analysis/go1.26/edges.trace
    if python3 -c 'import json,sys; b={x["class"]: x for x in json.load(open(sys.argv[1]))["blocking"]}["syscall"]; u=b["uncounted"]; assert u["total_ns"] > 1.1e9 and b["total_ns"] < 1e8 and u["n_stacks"] >= 1, (b["total_ns"], u)' "$tmp/out" 2>"$tmp/py"; then
        ok; else bad "trace pprof --json: uncounted syscall time: $(tail -n 1 "$tmp/py")"; fi
fi

# ---- chains by origin (the long-poll fixture of the diagnosis tests) ------------------------
lp=testdata/diagnosis/longpoll-go1.26/trace.out
expect 0 "$bin" trace chains --top 50 "$lp"
if grep -A1 'waker  main.(\*room).deliver' "$tmp/out" | grep -q 'main.(\*chat).wait'; then ok; else
    bad "chains: the long poll's direct waker is not main.(*room).deliver"; fi
expect 0 "$bin" trace chains --origins --top 50 "$lp"
contains "$tmp/out" "by origin"
if grep -B1 'main.(\*chat).wait' "$tmp/out" | grep -q 'origin (netpoller)'; then ok; else
    bad "chains --origins: the long poll's origin is not the netpoller"; fi
if grep -B1 'at main.(\*chat).wait' "$tmp/out" | grep -q 'origin main.(\*room).deliver'; then
    bad "chains --origins: the relay main.(*room).deliver is still an origin"; else ok; fi
if [ $have_py = 1 ]; then
    expect 0 "$bin" trace chains --json "$lp"
    if python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["chains"]; assert c["origin_edges"] and c["edges"]; assert sum(e["count"] for e in c["origin_edges"]) <= c["unblocks"]' "$tmp/out" 2>"$tmp/py"; then
        ok; else bad "chains --json: origin_edges: $(tail -n 1 "$tmp/py")"; fi
fi
expect 2 "$bin" trace chains --origins=x "$lp"

echo "# trace_analysis_cli.sh: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
