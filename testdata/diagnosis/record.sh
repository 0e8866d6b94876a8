#!/usr/bin/env bash
# Records one diagnosis fixture: runs the scenario service (testdata/go/scenarios) in MODE with
# Go VERSION under the open-loop load generator, captures a SECONDS-long bundle with
# `gorca capture`, and trims it to what the rules read (trace, CPU/block/mutex profiles, the
# two debug=1 dumps; the debug=2 dump only with --full-dump), rewriting manifest.json to list
# only the kept files (their sizes and digests are unchanged).
#
#   testdata/diagnosis/record.sh [--full-dump] [--seconds N] VERSION MODE OUTDIR [SERVICE FLAGS...]
#   testdata/diagnosis/record.sh --full-dump 1.26 leak testdata/diagnosis/leak-go1.26
set -eu
cd "$(dirname "$0")/../.."
full=0 secs=1
while [ $# -gt 0 ]; do
    case "$1" in
    --full-dump) full=1; shift ;;
    --seconds) secs=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || { echo "usage: $0 [--full-dump] [--seconds N] VERSION MODE OUTDIR [FLAGS...]" >&2; exit 2; }
v=$1 mode=$2 out=$3
shift 3
G=${GORCA_BIN:-$PWD/build/gorca}
bins=$(testdata/go/scenarios/build.sh "$v")
tmp=$(mktemp -d /tmp/gorca-record.XXXXXX)
svc= lg=
cleanup() {
    [ -n "$lg" ] && kill "$lg" 2>/dev/null
    [ -n "$svc" ] && kill "$svc" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

"$bins/service" -mode "$mode" -max-lifetime 2m "$@" >"$tmp/svc" 2>"$tmp/svc.err" &
svc=$!
for _ in $(seq 300); do grep -q '"ready"' "$tmp/svc" 2>/dev/null && break; sleep 0.1; done
url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$tmp/svc")
"$bins/loadgen" -url "$url" -d $((secs + 3))s -c 64 -rate 200 >"$tmp/load" 2>/dev/null &
lg=$!
sleep 1
rm -rf "$out"
"$G" capture "$url" -o "$out" --seconds "$secs" --quiet
wait "$lg"; lg=
python3 - "$out" "$full" <<'PY'
import json, os, sys
d, full = sys.argv[1], sys.argv[2] == "1"
keep = {"trace", "profile", "block", "mutex", "goroutine-debug1", "goroutine-end"}
if full:
    keep.add("goroutine-debug2")
m = json.load(open(os.path.join(d, "manifest.json")))
eps = []
for e in m["endpoints"]:
    if e["id"] in keep:
        eps.append(e)
    elif e.get("file") and os.path.exists(os.path.join(d, e["file"])):
        os.remove(os.path.join(d, e["file"]))
m["endpoints"] = eps
m["requested"] = len(eps)
m["ok"] = sum(1 for e in eps if e["ok"])
m["dir"] = os.path.basename(os.path.normpath(d))
with open(os.path.join(d, "manifest.json"), "w") as f:
    json.dump(m, f, indent=2)
    f.write("\n")
PY
python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["latency_ms"]; print("%s: client p50 %.1f ms, p99 %.1f ms" % (sys.argv[2], l["p50"], l["p99"]))' "$tmp/load" "$out"
