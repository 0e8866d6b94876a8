#!/usr/bin/env bash
# gorca analyze on the command line, over the recorded fixtures (testdata/diagnosis): exit
# status 0 for a healthy capture, 3 for findings of medium or above, 1 when nothing can be used,
# 2 for usage and config errors (messages pinned); --json is the gorca.analysis/1 document;
# -o writes a file; --format markdown; failed inputs warned about on stderr while the rest is
# analysed; no colour when not on a terminal; `make demo`'s script on the sample capture.
set -u
cd "$(dirname "$0")/../.."
G=${GORCA_BIN:-$PWD/build/gorca}
D=testdata/diagnosis
pass=0 fail=0 skip=0
tmp=$(mktemp -d /tmp/gorca-analyze-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

run() { # OUT ERR ARGS...: runs gorca, sets RC
    local out=$1 err=$2; shift 2
    "$G" "$@" >"$out" 2>"$err"
    RC=$?
}

run "$tmp/h.txt" "$tmp/h.err" analyze "$D/healthy-go1.26"
check "healthy capture: exit 0" [ "$RC" = 0 ]
check "healthy capture: says no problem" grep -q '^gorca: no latency problem found' "$tmp/h.txt"

run "$tmp/d.txt" "$tmp/d.err" analyze "$D/dns-go1.22"
check "dns capture: exit 3" [ "$RC" = 3 ]
check "dns capture: top finding first" grep -q '^#1 critical dns_resolution' "$tmp/d.txt"
check "no colour when stdout is not a terminal" sh -c "! grep -q \$(printf '\\033') '$tmp/d.txt'"
check "every line fits 100 columns" sh -c "awk 'length > 100 { exit 1 }' '$tmp/d.txt'"

run "$tmp/d.json" "$tmp/dj.err" analyze --json "$D/dns-go1.22"
check "--json: exit 3" [ "$RC" = 3 ]
if command -v python3 >/dev/null; then
    check "--json: schema, inputs, top cause" python3 - "$tmp/d.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "gorca.analysis/1"
assert d["findings"][0]["cause"] == "dns_resolution"
assert all(i["status"] == "used" for i in d["inputs"])
assert d["summary"]["findings_medium_or_above"] >= 1
PY
else
    skip=$((skip + 1)); echo "skip --json checks: no python3"
fi

run "$tmp/o.txt" "$tmp/o.err" analyze --format markdown -o "$tmp/report.md" "$D/dns,mutex-go1.26"
check "-o FILE: exit 3" [ "$RC" = 3 ]
check "-o FILE: nothing on stdout" [ ! -s "$tmp/o.txt" ]
check "markdown report written" grep -q '^## Latency diagnosis: `dns_resolution`' "$tmp/report.md"

# A broken input next to good ones: warned about, the rest analysed.
printf '<html>login</html>\n' >"$tmp/page.html"
run "$tmp/m.txt" "$tmp/m.err" analyze "$D/sleep-go1.22/trace.out" "$tmp/page.html"
check "broken input skipped with a warning, exit 3" [ "$RC" = 3 ]
check "warning names the file" grep -q "gorca: warning: skipped '$tmp/page.html'" "$tmp/m.err"
check "the rest is analysed" grep -q 'handler_blocking' "$tmp/m.txt"

# Nothing usable.
run "$tmp/n.txt" "$tmp/n.err" analyze "$tmp/page.html"
check "nothing usable: exit 1" [ "$RC" = 1 ]
check "nothing usable: message" grep -q "^gorca: error: nothing to analyse: none of the 1 input is a profile, goroutine dump or trace gorca could read" "$tmp/n.err"

# Usage errors.
run "$tmp/u.txt" "$tmp/u.err" analyze
check "no input: exit 2" [ "$RC" = 2 ]
check "no input: message" grep -q "^gorca: error: no input: give a bundle directory or evidence files" "$tmp/u.err"
run "$tmp/u.txt" "$tmp/u.err" analyze --format yaml "$D/dns-go1.22"
check "bad format: exit 2" [ "$RC" = 2 ]
check "bad format: message" grep -q "^gorca: error: unknown format 'yaml' (text, json, markdown)" "$tmp/u.err"
printf '{"thresholds": {"dns_slow": 1}}' >"$tmp/bad.json"
run "$tmp/u.txt" "$tmp/u.err" analyze --config "$tmp/bad.json" "$D/dns-go1.22"
check "bad config: exit 2" [ "$RC" = 2 ]
check "bad config: names the key" grep -q 'unknown key "dns_slow"' "$tmp/u.err"
printf '{"disable": ["dns_resolution"]}' >"$tmp/off.json"
run "$tmp/c.txt" "$tmp/c.err" analyze --json --config "$tmp/off.json" "$D/dns-go1.22"
check "config disables a cause" sh -c "! grep -q '\"cause\": \"dns_resolution\"' '$tmp/c.txt'"

run "$tmp/help.txt" "$tmp/help.err" analyze --help
check "--help: exit 0" [ "$RC" = 0 ]
check "--help: usage on stdout" grep -q '^usage: gorca analyze' "$tmp/help.txt"

if [ -f testdata/sample/manifest.json ]; then
    GORCA_BIN="$G" bash scripts/demo.sh >"$tmp/demo.txt" 2>&1
    RC=$?
    check "make demo's script succeeds on the sample" [ "$RC" = 0 ]
    check "the demo names the sample's causes" grep -q 'dns_resolution' "$tmp/demo.txt"
fi
echo "# $(basename "$0"): $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
