#!/usr/bin/env bash
# End-to-end cases of gorca top / folded / flame: exit codes and the exact error messages
# (style.md: "gorca: error: 'FILE': offset N (where): what"), help, JSON, several inputs.
# One case per line: EXIT | ARGS (words; @D = the Go 1.26 fixture dir, @T = a temp dir) |
# expected stderr (exact, with \n for line breaks; '-' = empty; '~RE' = grep -E pattern).
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=testdata/pprof/go1.26
gzip -dc "$D/cpu.pb.gz" | head -c 3000 >"$tmp/cut.pb"
head -c 3000 "$D/cpu.pb.gz" >"$tmp/cut.pb.gz"
printf 'goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n' >"$tmp/dump.txt"
: >"$tmp/empty.pb"
export TZ=UTC

while IFS='|' read -r want_rc args want_err; do
    [[ -z "$want_rc" || "$want_rc" == \#* ]] && continue
    want_rc=$(echo "$want_rc" | tr -d ' ')
    args=${args//@D/$D}
    args=${args//@T/$tmp}
    want_err=$(echo "$want_err" | sed -e 's/^ *//' -e 's/ *$//')
    want_err=${want_err//@T/$tmp}
    set -f
    # shellcheck disable=SC2086
    "$bin" $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set +f
    got_err=$(cat "$tmp/err")
    okc=1
    [ "$rc" = "$want_rc" ] || okc=0
    case $want_err in
    -) [ -z "$got_err" ] || okc=0 ;;
    ~*) grep -qE -- "${want_err#\~}" "$tmp/err" || okc=0 ;;
    *) [ "$got_err" = "$(printf '%b' "$want_err")" ] || okc=0 ;;
    esac
    if [ "$okc" = 1 ]; then
        pass=$((pass + 1))
    else
        echo "FAIL gorca $args: exit $rc (want $want_rc), stderr: $got_err"
        echo "     want stderr: $want_err"
        fail=$((fail + 1))
    fi
done <<'CASES'
2 | top | gorca: error: no profile given\ntry 'gorca top --help'
1 | top @T/nope.pb.gz | gorca: error: '@T/nope.pb.gz': cannot open: No such file or directory
1 | top @D/cpu.pb.gz @T/nope.pb.gz | gorca: error: '@T/nope.pb.gz': cannot open: No such file or directory
1 | top @T/empty.pb | gorca: error: '@T/empty.pb': offset 0: empty profile (no bytes)
1 | top @T/cut.pb | ~^gorca: error: '.*/cut.pb': offset [0-9]+ \([a-z_ 0-9>]+\): expected [0-9]+ bytes for length-delimited field, found [0-9]+$
1 | folded @T/cut.pb.gz | gorca: error: '@T/cut.pb.gz': offset 0 (gzip): corrupt or truncated gzip member
1 | top @T/dump.txt | gorca: error: '@T/dump.txt': offset 0: this is a goroutine dump (debug=2), not a protobuf profile
1 | top @D/cpu.pb.gz @D/heap.pb.gz | gorca: error: the profiles have no sample type in common, cannot merge them
2 | top --focus ( @D/cpu.pb.gz | gorca: error: invalid focus regex '(': missing closing parenthesis at offset 1\ntry 'gorca top --help'
2 | folded --sample-index foo @D/heap.pb.gz | gorca: error: sample index 'foo' must be one of: alloc_objects, alloc_space, inuse_objects, inuse_space\ntry 'gorca folded --help'
2 | top --sample-index 9 @D/cpu.pb.gz | gorca: error: sample index 9 is outside the range [0..1]\ntry 'gorca top --help'
2 | top --nodecount x @D/cpu.pb.gz | gorca: error: invalid --nodecount 'x'\ntry 'gorca top --help'
2 | top --focus | gorca: error: option '--focus' needs a value\ntry 'gorca top --help'
2 | flame --bogus @D/cpu.pb.gz | gorca: error: unknown option '--bogus'\ntry 'gorca flame --help'
2 | flame --width 10 -o @T/f.svg @D/cpu.pb.gz | gorca: error: invalid --width '10' (200..100000)\ntry 'gorca flame --help'
0 | top --help | -
0 | folded --help | -
0 | flame --help | -
0 | top --json --nodecount 3 @D/cpu.pb.gz @D/cpu2.pb.gz | -
0 | top --base @D/cpu.pb.gz @D/cpu2.pb.gz | -
0 | folded -o @T/x.folded --hide runtime @D/goroutine.pb.gz | -
0 | flame -o @T/x.svg --title My&<title> --sample-index alloc_space @D/heap.pb.gz | -
0 | folded @D/delta-goroutine.pb.gz | ~^gorca: warning: [0-9]+ stacks? with a negative sum left out
CASES

# Outputs of the successful cases above.
"$bin" top --json --nodecount 3 "$D/cpu.pb.gz" "$D/cpu2.pb.gz" >"$tmp/j" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["rows"])==3 and d["type"]=="cpu" and d["unit"]=="nanoseconds" and d["total"]>0 and d["rows"][0]["flat"]>=d["rows"][1]["flat"]' "$tmp/j" &&
    pass=$((pass + 1)) || { echo "FAIL top --json content"; fail=$((fail + 1)); }
grep -q '<title id\|<text id="title"[^>]*>My&amp;&lt;title&gt;</text>' "$tmp/x.svg" &&
    pass=$((pass + 1)) || { echo "FAIL flame --title is not escaped"; fail=$((fail + 1)); }
! grep -q 'runtime\.' "$tmp/x.folded" && [ -s "$tmp/x.folded" ] &&
    pass=$((pass + 1)) || { echo "FAIL folded --hide runtime kept runtime frames"; fail=$((fail + 1)); }
"$bin" top --help | grep -q -- '--sample-index NAME' && pass=$((pass + 1)) ||
    { echo "FAIL top --help lacks --sample-index"; fail=$((fail + 1)); }

echo "# cli_pprof: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
