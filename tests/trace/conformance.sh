#!/usr/bin/env bash
# Conformance of gorca's ordered event stream with Go's own trace reader. For every installed
# Go version 1.22..1.26 and every trace of that version -- the committed fixtures in
# testdata/trace/goV and traces recorded now by testdata/go/traces/gen.sh into
# testdata/fresh/trace/goV -- `gorca trace events --format=go` must equal, event by event
# (kind, time, M, P, G, state transitions, arguments, stacks), what that version's
# `go tool trace -d=1` (1.22, 1.23) or `-d=parsed` (1.24+) prints. Go 1.22/1.23 break ties
# between threads in map order, so there events within one 64 ns tick may be permuted. Every
# trace is also compared with Go 1.26's reader, which reads all versions deterministically.
# Skips (with a message) when Go or python3 is absent.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0 skip=0
cmp=tests/trace/goparsed.py
tmp=$(mktemp -d /tmp/gorca-conf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if ! command -v python3 >/dev/null; then
    echo "skip: python3 is not installed"
    echo "# conformance.sh: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
versions=$(scripts/go-env.sh --list | grep -E '^1\.(2[2-9])$' || true)
if [ -z "$versions" ]; then
    echo "skip: no Go 1.22+ toolchain installed (scripts/go-env.sh --list)"
    echo "# conformance.sh: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
go126=$(scripts/go-env.sh 1.26 2>/dev/null || true)

# oracle GO FLAG TRACE OUT: Go's parsed event dump (TZ fixed: wall clocks print in local time).
oracle() {
    TZ=UTC GOTOOLCHAIN=local "$1" tool trace -d="$2" "$3" >"$4" 2>"$4.err"
}

check() { # VERSION-OF-ORACLE GO TRACE LABEL
    local v=$1 go=$2 f=$3 label=$4 flag sync ties out
    case $v in
    1.22 | 1.23) flag=1 sync=end ties=--ties ;;
    1.24) flag=parsed sync=end ties= ;;
    *) flag=parsed sync=start ties= ;;
    esac
    out=$tmp/$(echo "$label" | tr '/ ' '__')
    if ! oracle "$go" "$flag" "$f" "$out.go"; then
        echo "FAIL $label: go tool trace failed: $(head -c 300 "$out.go.err")"
        fail=$((fail + 1))
        return
    fi
    if ! "$bin" trace events --format=go --sync=$sync "$f" >"$out.gorca" 2>"$out.gorca.err"; then
        echo "FAIL $label: gorca failed: $(head -c 300 "$out.gorca.err")"
        fail=$((fail + 1))
        return
    fi
    local res
    if res=$(python3 "$cmp" $ties "$out.go" "$out.gorca"); then
        echo "ok   $label: $res"
        pass=$((pass + 1))
    else
        echo "FAIL $label: $res"
        fail=$((fail + 1))
    fi
}

for v in $versions; do
    go=$(scripts/go-env.sh "$v")
    fresh=testdata/fresh/trace/go$v
    if [ ! -f "$fresh/main.trace" ] || [ testdata/go/traces/main.go -nt "$fresh/main.trace" ]; then
        if ! bash testdata/go/traces/gen.sh "$v" "$fresh" >"$tmp/gen.log" 2>&1; then
            echo "FAIL go$v: recording fresh traces failed: $(tail -n 5 "$tmp/gen.log")"
            fail=$((fail + 1))
        fi
    fi
    for f in testdata/trace/go$v/*.trace "$fresh"/*.trace; do
        [ -f "$f" ] || continue
        check "$v" "$go" "$f" "go$v $f"
        if [ -n "$go126" ] && [ "$v" != 1.26 ]; then
            check 1.26 "$go126" "$f" "go1.26-reader $f"
        fi
    done
done
for v in 1.22 1.23 1.24 1.25 1.26; do
    echo "$versions" | grep -qx "$v" || { echo "skip: Go $v is not installed"; skip=$((skip + 1)); }
done
echo "# conformance.sh: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
