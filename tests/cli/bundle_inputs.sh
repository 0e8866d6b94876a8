#!/usr/bin/env bash
# Script tests of capture bundle directories as inputs to the profile and trace commands:
# `gorca top|folded|flame DIR` read the bundle's CPU profile (--profile picks another one) and
# `gorca trace SUBCOMMAND DIR` its execution trace, with exactly the output the member file
# gives; directories that are not bundles, bundles without the wanted file and unknown
# --profile kinds are refused with a clear message. Uses the bundled sample capture
# (testdata/sample, recorded by gorca capture from the scenario service).
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
name=bundle_inputs.sh
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=testdata/sample

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# same_output NAME ARGS_WITH_BUNDLE -- ARGS_WITH_FILE: both succeed with identical stdout.
same_output() {
    local t=$1 a=() b=()
    shift
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    "$bin" "${a[@]}" >"$tmp/a" 2>"$tmp/a.err" || { bad "$t: bundle run failed: $(head -c 300 "$tmp/a.err")"; return; }
    "$bin" "${b[@]}" >"$tmp/b" 2>"$tmp/b.err" || { bad "$t: file run failed: $(head -c 300 "$tmp/b.err")"; return; }
    if [ ! -s "$tmp/a" ]; then bad "$t: empty output"; return; fi
    if cmp -s "$tmp/a" "$tmp/b"; then ok; else bad "$t: bundle and file outputs differ"; fi
}
# fails NAME WANT_RC WANT_STDERR ARGS...
fails() {
    local t=$1 want=$2 msg=$3 rc
    shift 3
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want" ]; then bad "$t: exit $rc, want $want"; return; fi
    if grep -qF -- "$msg" "$tmp/err"; then ok; else bad "$t: stderr '$(head -c 300 "$tmp/err")' lacks '$msg'"; fi
}

if [ ! -f "$S/manifest.json" ]; then
    echo "FAIL the sample bundle $S is missing"
    echo "# $name: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

same_output top-cpu top $S -- top $S/profile.pb.gz
same_output top-json top --json --nodecount 5 $S -- top --json --nodecount 5 $S/profile.pb.gz
for k in mutex:mutex block:block heap:heap allocs:allocs goroutine:goroutine threadcreate:threadcreate; do
    same_output "top-${k%%:*}" top --profile "${k%%:*}" $S -- top "$S/${k#*:}.pb.gz"
done
same_output folded-block folded --profile block $S -- folded $S/block.pb.gz
same_output flame-cpu flame -o - $S -- flame -o - $S/profile.pb.gz
# a bundle and a file merge like two files
same_output top-merge top --profile mutex $S $S/mutex.pb.gz -- top $S/mutex.pb.gz $S/mutex.pb.gz

for sub in "stats" "events --goroutine 1" "gc" "sched" "goroutines" "chains" "cpu" "requests"; do
    # shellcheck disable=SC2086
    same_output "trace-${sub%% *}" trace $sub $S -- trace $sub $S/trace.out
done
same_output trace-pprof trace pprof --type sync -o - $S -- trace pprof --type sync -o - $S/trace.out

fails not-a-bundle 1 "'testdata/dump': a directory, but not a capture bundle (no manifest.json)" \
    top testdata/dump
fails trace-not-a-bundle 1 "a directory, but not a capture bundle" trace stats testdata/dump
fails bad-kind 2 "invalid --profile 'trace'" top --profile trace $S

# a bundle whose CPU profile and trace failed: the manifest lists them as failures
mkdir -p "$tmp/partial"
cp $S/*.pb.gz $S/*.txt "$tmp/partial/"
rm "$tmp/partial/profile.pb.gz"
python3 - "$S/manifest.json" "$tmp/partial/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for e in m["endpoints"]:
    if e["id"] in ("profile", "trace"):
        e.update(file=None, state="failed", ok=False, http_status=500, bytes=0, sha256=None,
                 error_class="GORCA_E_HTTP",
                 error="HTTP 500: Could not enable CPU profiling: cpu profiling already in use")
json.dump(m, open(sys.argv[2], "w"), indent=2)
PY
fails no-cpu 1 "the bundle has no cpu profile" top "$tmp/partial"
fails no-trace 1 "the capture bundle has no trace file" trace stats "$tmp/partial"
same_output partial-mutex top --profile mutex "$tmp/partial" -- top "$tmp/partial/mutex.pb.gz"

echo "# $name: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
