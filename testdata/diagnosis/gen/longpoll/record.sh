#!/usr/bin/env bash
# Records the long-poll fixture: builds longpoll (and the holdout load generator hload, which
# can POST) with Go VERSION, drives it with waits, posts and reads for 4 s, captures a 2 s
# window with gorca capture and trims it like testdata/diagnosis/record.sh.
# usage: record.sh VERSION OUTDIR
set -eu
cd "$(dirname "$0")/../../../.."
v=$1 out=$2
G=${GORCA_BIN:-$PWD/build/gorca}
go=$(scripts/go-env.sh "$v")
tmp=$(mktemp -d /tmp/gorca-longpoll.XXXXXX)
svc= lg=
trap '[ -n "$lg" ] && kill $lg 2>/dev/null; [ -n "$svc" ] && kill $svc 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOPROXY=off GOCACHE=$tmp/cache
(cd testdata/diagnosis/gen/longpoll && GO111MODULE=off "$go" build -o "$tmp/longpoll" .)
(cd testdata/go/holdout && GOFLAGS=-mod=mod "$go" build -o "$tmp/hload" ./hload)
"$tmp/longpoll" >"$tmp/svc" 2>"$tmp/svc.err" &
svc=$!
for _ in $(seq 300); do grep -q '"ready"' "$tmp/svc" 2>/dev/null && break; sleep 0.1; done
url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$tmp/svc")
"$tmp/hload" -url "$url" -d 5s -c 128 -rate 100 \
    -mix 'GET /rooms/{u}/wait*4,POST /rooms/{u}/messages*2,GET /rooms/{u}/info*1' >"$tmp/load" 2>/dev/null &
lg=$!
sleep 1.5
rm -rf "$out"
"$G" capture "$url" -o "$out" --seconds 2 --quiet
wait "$lg"; lg=
python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
keep = {"trace", "profile", "block", "mutex", "goroutine-debug1", "goroutine-end"}
m = json.load(open(os.path.join(d, "manifest.json")))
eps = [e for e in m["endpoints"] if e["id"] in keep]
for e in m["endpoints"]:
    if e["id"] not in keep and e.get("file") and os.path.exists(os.path.join(d, e["file"])):
        os.remove(os.path.join(d, e["file"]))
m.update(endpoints=eps, requested=len(eps), ok=sum(1 for e in eps if e["ok"]), dir=os.path.basename(os.path.normpath(d)))
json.dump(m, open(os.path.join(d, "manifest.json"), "w"), indent=2)
PY
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); l=d["latency_ms"]; print("client p50 %.1f ms, p99 %.1f ms, status %s" % (l["p50"], l["p99"], d.get("status")))' "$tmp/load"
