# Shared steps of the fixture recorders (sourced by testdata/diagnosis/record.sh and the
# gen/*/record.sh scripts): start a service, drive it with a load generator, capture a window
# with gorca capture and trim the bundle to what the rules read (trace, CPU/block/mutex
# profiles, the two debug=1 dumps, the debug=2 dump when asked), rewriting manifest.json to
# list only the kept files (their sizes and digests are unchanged); then print the client's
# latency. Runs from the repository root.
#
#   rec_init NAME                 temporary directory $tmp, $G, cleanup on exit
#   gen_build NAME VERSION        builds gen/NAME with Go VERSION into $tmp/NAME (sets $go)
#   gen_hload                     builds the holdout load generator (it can POST): $tmp/hload
#   rec_start CMD [ARGS...]       starts the service, waits for its ready line, sets $url
#   rec_load CMD [ARGS...]        starts the load in the background (stdout: its JSON summary)
#   rec_capture OUT SECONDS       captures OUT (after the caller's warm-up)
#   rec_finish OUT [full]         waits for the load, trims OUT, prints the client latency
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rec_init() {
    G=${GORCA_BIN:-$PWD/build/gorca}
    tmp=$(mktemp -d "/tmp/gorca-$1.XXXXXX")
    svc= lg=
    trap '[ -n "$lg" ] && kill $lg 2>/dev/null; [ -n "$svc" ] && kill $svc 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
}

gen_build() {
    go=$(scripts/go-env.sh "$2")
    (cd "testdata/diagnosis/gen/$1" && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off \
        GOCACHE=$tmp/cache "$go" build -o "$tmp/$1" .)
}

gen_hload() {
    (cd testdata/go/holdout && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod \
        GOCACHE=$tmp/cache "$go" build -o "$tmp/hload" ./hload)
}

rec_start() {
    "$@" >"$tmp/svc" 2>"$tmp/svc.err" &
    svc=$!
    for _ in $(seq 300); do grep -q '"ready"' "$tmp/svc" 2>/dev/null && break; sleep 0.1; done
    url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$tmp/svc")
}

rec_load() {
    "$@" >"$tmp/load" 2>/dev/null &
    lg=$!
}

rec_capture() {
    rm -rf "$1"
    "$G" capture "$url" -o "$1" --seconds "$2" --quiet
}

rec_finish() {
    wait "$lg" || true
    lg=
    python3 - "$1" "${2:-}" <<'PY'
import json, os, sys
d, full = sys.argv[1], sys.argv[2] == "full"
keep = {"trace", "profile", "block", "mutex", "goroutine-debug1", "goroutine-end"}
if full:
    keep.add("goroutine-debug2")
m = json.load(open(os.path.join(d, "manifest.json")))
eps = [e for e in m["endpoints"] if e["id"] in keep]
for e in m["endpoints"]:
    if e["id"] not in keep and e.get("file") and os.path.exists(os.path.join(d, e["file"])):
        os.remove(os.path.join(d, e["file"]))
m.update(endpoints=eps, requested=len(eps), ok=sum(1 for e in eps if e["ok"]),
         dir=os.path.basename(os.path.normpath(d)))
with open(os.path.join(d, "manifest.json"), "w") as f:
    json.dump(m, f, indent=2)
    f.write("\n")
PY
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); l=d["latency_ms"]; print("%s: client p50 %.1f ms, p99 %.1f ms%s" % (sys.argv[2], l["p50"], l["p99"], ", status %s" % d["status"] if "status" in d else ""))' "$tmp/load" "$1"
}
