#!/usr/bin/env bash
# Records the partial-leak fixture: builds hedge with Go VERSION, drives /quote with the scenario
# load generator, captures a 2 s window after 3 s with gorca capture and trims it like
# testdata/diagnosis/record.sh.    usage: record.sh VERSION OUTDIR [SERVICE FLAGS...]
set -eu
cd "$(dirname "$0")/../../../.."
v=$1 out=$2; shift 2
G=${GORCA_BIN:-$PWD/build/gorca}
go=$(scripts/go-env.sh "$v")
bins=$(testdata/go/scenarios/build.sh "$v")
tmp=$(mktemp -d /tmp/gorca-hedge.XXXXXX)
svc= lg=
trap '[ -n "$lg" ] && kill $lg 2>/dev/null; [ -n "$svc" ] && kill $svc 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
(cd testdata/diagnosis/gen/hedge && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off GOCACHE=$tmp/cache \
    "$go" build -o "$tmp/hedge" .)
"$tmp/hedge" "$@" >"$tmp/svc" 2>"$tmp/svc.err" &
svc=$!
for _ in $(seq 300); do grep -q '"ready"' "$tmp/svc" 2>/dev/null && break; sleep 0.1; done
url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$tmp/svc")
"$bins/loadgen" -url "$url" -paths "/quote?sku=a1,/quote?sku=b2,/quote?sku=c3" -d 7s -c 64 -rate 200 >"$tmp/load" 2>/dev/null &
lg=$!
sleep 3
rm -rf "$out"
"$G" capture "$url" -o "$out" --seconds 2 --quiet
wait "$lg" || true; lg=
python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
keep = {"trace", "profile", "block", "mutex", "goroutine-debug1", "goroutine-end", "goroutine-debug2"}
m = json.load(open(os.path.join(d, "manifest.json")))
eps = [e for e in m["endpoints"] if e["id"] in keep]
for e in m["endpoints"]:
    if e["id"] not in keep and e.get("file") and os.path.exists(os.path.join(d, e["file"])):
        os.remove(os.path.join(d, e["file"]))
m.update(endpoints=eps, requested=len(eps), ok=sum(1 for e in eps if e["ok"]), dir=os.path.basename(os.path.normpath(d)))
json.dump(m, open(os.path.join(d, "manifest.json"), "w"), indent=2)
PY
python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["latency_ms"]; print("client p50 %.1f ms, p99 %.1f ms" % (l["p50"], l["p99"]))' "$tmp/load"
