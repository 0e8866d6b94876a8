#!/usr/bin/env bash
# Script tests of `gorca inspect`: kinds of real files (goroutine dumps, pprof profiles, and
# execution traces written by the installed Go toolchains when present), --json, exit codes
# (0 all known, 4 some unknown, 1 unreadable, 2 usage) and exact messages. Files are named so
# that their names lie: inspect must go by content.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
root=$PWD
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
F=testdata/dump/go1.26
P=testdata/pprof/go1.26

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
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
same() { if [ "$(cat "$3")" == "$2" ]; then ok; else bad "$1: got '$(cat "$3")', want '$2'"; fi; }
has() { if grep -qF -- "$2" "$tmp/out"; then ok; else bad "$1: output lacks '$2'"; fi; }

run help 0 inspect --help && has help "usage: gorca inspect [--json] FILE..."
run no-args 2 inspect &&
    same no-args "gorca: error: missing the files to inspect
try 'gorca inspect --help'" "$tmp/err"
run bad-opt 2 inspect --frobnicate x
run missing 1 inspect /nonexistent/trace.out &&
    same missing "gorca: error: '/nonexistent/trace.out': cannot open: No such file or directory" "$tmp/err"

# names that lie: content decides
cp $F/debug2.txt "$tmp/cpu.pb.gz"
cp $P/cpu.pb.gz "$tmp/goroutines.txt"
cp $F/debug1.txt "$tmp/trace.out"
printf 'hello\n' >"$tmp/heap.pb.gz"
total=$(grep -c '^goroutine ' $F/debug2.txt)
total1=$(sed -n '1s/^goroutine profile: total //p' $F/debug1.txt)
run lying 4 inspect "$tmp/cpu.pb.gz" "$tmp/goroutines.txt" "$tmp/trace.out" "$tmp/heap.pb.gz"
has lying "$tmp/cpu.pb.gz: goroutine_debug2: goroutine dump, debug=2 text: $total goroutines"
has lying "$tmp/goroutines.txt: cpu: pprof cpu profile: "
has lying "$tmp/trace.out: goroutine_debug1: goroutine profile, debug=1 text: $total1 goroutines"
has lying "$tmp/heap.pb.gz: unknown: not a pprof profile, goroutine dump or Go execution trace"
[ "$(wc -l <"$tmp/out")" = 4 ] && ok || bad "lying: not 4 lines"

run known 0 inspect $F/debug2.txt $F/crash-panic.txt $P/heap.pb.gz $P/allocs.pb.gz $P/block.pb.gz \
    $P/mutex.pb.gz $P/goroutine.pb.gz $P/threadcreate.pb.gz $F/threadcreate1.txt
has known "$F/crash-panic.txt: goroutine_debug2: crash traceback (panic: zoo failed:): $(grep -c '^goroutine ' $F/crash-panic.txt) goroutines"
has known "$P/allocs.pb.gz: heap: pprof heap profile (allocs endpoint):"
has known "$P/block.pb.gz: block: pprof block profile:"
has known "$P/mutex.pb.gz: mutex: pprof mutex profile:"
has known "$F/threadcreate1.txt: threadcreate: threadcreate profile, debug=1 text: $(sed -n '1s/^threadcreate profile: total //p' $F/threadcreate1.txt) threads"

run unreadable-and-unknown 1 inspect /nonexistent/x "$tmp/heap.pb.gz"
has unreadable-and-unknown "$tmp/heap.pb.gz: unknown:"

run json 0 inspect --json $F/debug1.txt $P/cpu.pb.gz
has json '"path": "'$F/debug1.txt'",'
has json '"kind": "goroutine_debug1",'
has json '"kind": "cpu",'
has json '"type": "cpu",'
has json '"unit": "nanoseconds"'
has json "\"goroutines\": $total1,"
if command -v python3 >/dev/null; then
    python3 - "$tmp/out" <<'EOF' && ok || bad "json: not a list of {path, kind}"
import json, sys
v = json.load(open(sys.argv[1]))
assert isinstance(v, list) and len(v) == 2
assert all("path" in e and "kind" in e for e in v)
EOF
else
    skip=$((skip + 1))
fi
run json-unknown 4 inspect --json "$tmp/heap.pb.gz"
has json-unknown '"kind": "unknown",'

# Execution traces written by the installed Go toolchains (oldest supported and newest).
if [ -x scripts/go-env.sh ] && vs=$(scripts/go-env.sh --list) && [ -n "$vs" ]; then
    mkdir -p "$tmp/tr"
    cat >"$tmp/tr/main.go" <<'EOF'
package main

import (
	"os"
	"runtime/trace"
	"time"
)

func main() {
	f, _ := os.Create(os.Args[1])
	trace.Start(f)
	time.Sleep(20 * time.Millisecond)
	trace.Stop()
	f.Close()
}
EOF
    for v in $(printf '%s\n' $vs | grep -E '^1\.(2[2-9])$' | sed -n '1p;$p' | sort -u); do
        go=$(scripts/go-env.sh "$v")
        if ! (cd "$tmp/tr" && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off GOFLAGS= "$go" run main.go "$tmp/t$v.bin" >/dev/null 2>&1); then
            bad "trace $v: go run failed"
            continue
        fi
        run "trace $v" 0 inspect --json "$tmp/t$v.bin"
        minor=${v#1.}
        want=$minor
        [ "$minor" = 24 ] && want=23 # Go 1.24 writes the 1.23 format
        has "trace $v" '"kind": "trace",'
        has "trace $v" "\"go_version\": \"1.$want\","
        has "trace $v" '"supported": true'
        has "trace $v" '"generations": 1,'
        has "trace $v" '"damage": null'
    done
else
    echo "skip traces: no Go toolchain installed"
    skip=$((skip + 1))
fi
# A capture bundle of the dump fixture program: inspect lists it from its manifest, goroutines
# reads its debug=2 dump.
if [ -x scripts/go-env.sh ] && v=$(scripts/go-env.sh --list | tail -n 1) && [ -n "$v" ]; then
    go=$(scripts/go-env.sh "$v")
    if (cd testdata/go/dumps && GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 GOFLAGS=-mod=mod \
        "$go" build -o "$tmp/dumps" .) >"$tmp/build.log" 2>&1; then
        mkdir -p "$tmp/srv"
        "$tmp/dumps" serve "$tmp/srv" &
        pid=$!
        for _ in $(seq 1 100); do [ -s "$tmp/srv/addr" ] && break; sleep 0.1; done
        if "$bin" capture "http://$(cat "$tmp/srv/addr")" --seconds 1 -o "$tmp/bundle" >/dev/null 2>"$tmp/cap.err"; then
            run bundle 0 inspect "$tmp/bundle"
            has bundle "$tmp/bundle/goroutine-debug2.txt: goroutine_debug2: goroutine dump, debug=2 text: "
            has bundle "$tmp/bundle/profile.pb.gz: cpu: "
            has bundle "$tmp/bundle/trace.out: trace: Go $v execution trace: "
            has bundle "$tmp/bundle/cmdline.txt: cmdline: "
            [ ! -s "$tmp/err" ] && ok || bad "bundle: warnings: $(cat "$tmp/err")"
            run bundle-json 0 inspect --json "$tmp/bundle"
            has bundle-json '"manifest_kind": "goroutine_debug2",'
            run bundle-goroutines 0 goroutines --class sync "$tmp/bundle"
            has bundle-goroutines "$tmp/bundle/goroutine-debug2.txt: goroutine dump (debug=2), "
            has bundle-goroutines "sync.Mutex.Lock  [sync]"
        else
            bad "bundle: gorca capture failed: $(head -c 300 "$tmp/cap.err")"
        fi
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    else
        bad "bundle: cannot build the fixture program: $(tail -n 3 "$tmp/build.log")"
    fi
else
    skip=$((skip + 1))
fi
mkdir -p "$tmp/empty-bundle"
run no-dump-bundle 0 inspect "$tmp/empty-bundle"
printf '{}' >"$tmp/empty-bundle/manifest.json"
run broken-bundle 1 goroutines "$tmp/empty-bundle"

# a legacy trace header and a cut one
printf 'go 1.19 trace\0\0\0\x00\x01' >"$tmp/old.trace"
run legacy 0 inspect "$tmp/old.trace"
same legacy "$tmp/old.trace: trace: Go 1.19 execution trace (pre-1.22 format, which gorca does not read)" "$tmp/out"
printf 'go 1.23 tr' >"$tmp/cut.trace"
run cut-trace 4 inspect "$tmp/cut.trace"
same cut-trace "$tmp/cut.trace: unknown: Go execution trace whose 16-byte header is cut short" "$tmp/out"

echo "# inspect.sh: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
