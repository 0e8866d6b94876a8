#!/usr/bin/env bash
# End to end: for every scenario mode (and two mixed cases) run the real Go scenario service
# under the load generator, `gorca capture` it for 2 s, and check the bundle is complete,
# aligned (median window start skew <= 10 ms, every run <= 50 ms, mid-window snapshots at the middle, the closing dump at
# the end) and that every file is what the manifest says: size and SHA-256, pprof files decode
# with gorca's decoder and classify as their endpoint, dumps parse with gorca's dump parser,
# the trace has its header.
# For four modes per Go version the oracles (go tool pprof -raw, go tool trace -pprof=sched)
# must also accept every file.
#
# Go versions: 1.26 and 1.22 (the diagnosis tests' pair), or whatever is installed. Under ASan
# (GORCA_SANITIZED=1) only three runs on one version: the capture code paths are the same for
# every mode, and the sanitizer pass must stay short. GORCA_E2E_MODES overrides the mode list.
set -u
cd "$(dirname "$0")/../.."
export GORCA_ROOT=${GORCA_ROOT:-$PWD}
G=${GORCA_BIN:-$GORCA_ROOT/build/gorca}
VERIFY=$GORCA_ROOT/${GORCA_BUILD:-build}/tests/capture/test_capture
. tests/capture/helpers.bash
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY
SECONDS_WINDOW=2

modes="healthy dns mutex gc outbound sleep leak chan tls panic fsync cpu dns,mutex gc,leak"
oracle_modes=" healthy gc cpu dns,mutex "
versions=()
for v in 1.26 1.22; do "$GORCA_ROOT/scripts/go-env.sh" "$v" >/dev/null 2>&1 && versions+=("$v"); done
[ ${#versions[@]} -gt 0 ] || { v=$(pick_go); [ -n "$v" ] && versions=("$v"); }
if [ -n "${GORCA_SANITIZED:-}" ]; then
    modes="healthy mutex dns,mutex"
    oracle_modes=" "
    versions=("${versions[0]:-}")
fi
modes=${GORCA_E2E_MODES:-$modes}
if [ ${#versions[@]} -eq 0 ] || [ -z "${versions[0]}" ] || ! command -v python3 >/dev/null; then
    skipped "end to end: needs Go and python3"
    finish
fi

# run_mode VERSION MODE: one service + load + capture; writes $tmp/VERSION-MODE.log with
# "ok ..."/"FAIL ..." lines.
run_mode() {
    local v=$1 mode=$2 bins=$3 tag="go$1 $2" out=$tmp/$1-$2 log=$tmp/$1-$2.log
    local svc lg rc
    {
        "$bins/service" -mode "$mode" -max-lifetime 2m >"$out.svc" 2>"$out.svc.err" &
        svc=$!
        for _ in $(seq 300); do grep -q '"ready"' "$out.svc" 2>/dev/null && break; sleep 0.1; done
        local url
        url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$out.svc" 2>/dev/null)
        if [ -z "$url" ]; then
            echo "FAIL $tag: service did not start: $(tail -2 "$out.svc.err")"
            kill $svc 2>/dev/null; wait $svc 2>/dev/null; return
        fi
        "$bins/loadgen" -url "$url" -d $((SECONDS_WINDOW + 3))s -c 64 -rate 200 >"$out.load" 2>"$out.load.err" &
        lg=$!
        sleep 0.7
        "$G" capture "$url" -o "$out.bundle" --seconds $SECONDS_WINDOW --json --quiet >"$out.json" 2>"$out.err"
        rc=$?
        wait $lg
        kill $svc 2>/dev/null; wait $svc 2>/dev/null
        target_crashed "$tag" "$out.svc.err" && return
        [ "$rc" = 0 ] && echo "ok   $tag: exit 0" || echo "FAIL $tag: exit $rc: $(head -c 300 "$out.err")"
        python3 - "$out.bundle" "$SECONDS_WINDOW" "$tag" <<'PY'
import json, sys
d, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
m = json.load(open(d + "/manifest.json"))
e = {x["id"]: x for x in m["endpoints"]}
def chk(name, cond, info=""):
    print(("ok   " if cond else "FAIL ") + tag + ": " + name + (" (" + info + ")" if info else ""))
chk("complete, 12 endpoints", m["status"] == "complete" and m["ok"] == 12, "%s %d" % (m["status"], m["ok"]))
skew = m["window"]["start_skew_ns"]
# <= 10 ms is the target (checked on the median of all runs below); a run on a machine
# saturated by the other tests' services may lose the CPU between two starts, hence 50 ms.
chk("window start skew <= 50 ms", skew is not None and skew <= 50_000_000, "%.3f ms" % ((skew or 0) / 1e6))
print("skew %d" % (skew if skew is not None else -1))
t0 = min(e[k]["start_ns"] for k in ("profile", "trace", "block", "mutex"))
mids = ["goroutine-debug2", "goroutine-debug1", "goroutine", "heap", "allocs", "threadcreate", "cmdline"]
off = [(e[k]["start_ns"] - t0) / 1e9 for k in mids]
chk("mid-window snapshots at N/2", all(n * 0.5 - 0.02 <= o <= n * 0.5 + 0.5 for o in off),
    "%.3f..%.3f s" % (min(off), max(off)))
end = (e["goroutine-end"]["start_ns"] - t0) / 1e9
chk("closing dump at the window end", n - 0.02 <= end <= n + 0.5, "%.3f s" % end)
chk("block/mutex are server deltas", e["block"]["delta"] == "server" and e["mutex"]["delta"] == "server")
chk("windowed requests lasted the window", all(e[k]["end_ns"] - e[k]["start_ns"] >= n * 0.95e9 for k in ("profile", "trace", "block", "mutex")))
PY
        if "$VERIFY" --verify "$out.bundle" >"$out.verify"; then
            echo "ok   $tag: every file verified and decoded ($(grep -c '^ok' "$out.verify") files)"
        else
            echo "FAIL $tag: verify: $(grep FAIL "$out.verify" | head -3)"
        fi
        python3 - "$out.load" "$tag" "$mode" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); tag, mode = sys.argv[2], sys.argv[3]
errs = s["errors"] + sum(c for k, c in s["status"].items() if k not in ("200", "error") and not (k == "500" and "panic" in mode))
print(("ok   " if s["requests"] > 0 and errs == 0 else "FAIL ") + tag +
      ": load %d requests, p50 %.1f ms, p99 %.1f ms, unexpected errors %d" %
      (s["requests"], s["latency_ms"]["p50"], s["latency_ms"]["p99"], errs) +
      ("; first errors: " + " | ".join(s.get("error_samples") or []) if errs else ""))
PY
        case ",$mode," in
        *,leak,*) grep -q 'main.(\*server).fetchRecommendations' "$out.bundle/goroutine-debug2.txt" &&
                  echo "ok   $tag: leaked workers in the dump" || echo "FAIL $tag: no leaked fetchRecommendations in the dump" ;;
        esac
        case ",$mode," in
        *,panic,*) grep -q '^panic(' "$out.bundle/goroutine-debug2.txt" && grep -q 'main.(\*server).reportCrash' "$out.bundle/goroutine-debug2.txt" &&
                   echo "ok   $tag: goroutines stuck reporting recovered panics" || echo "FAIL $tag: no stuck panic reporters in the dump" ;;
        esac
        if [[ "$oracle_modes" == *" $mode "* ]]; then
            local go f bad=0
            go=$("$GORCA_ROOT/scripts/go-env.sh" "$v")
            for f in "$out.bundle"/*.pb.gz; do
                GOTOOLCHAIN=local "$go" tool pprof -raw "$f" >/dev/null 2>"$out.oracle" || { bad=1; echo "FAIL $tag: go tool pprof rejects $(basename "$f"): $(head -1 "$out.oracle")"; }
            done
            GOTOOLCHAIN=local "$go" tool trace -pprof=sched "$out.bundle/trace.out" >/dev/null 2>"$out.oracle" || { bad=1; echo "FAIL $tag: go tool trace rejects trace.out: $(head -1 "$out.oracle")"; }
            [ $bad = 0 ] && echo "ok   $tag: oracles (go tool pprof -raw, go tool trace) accept every file"
        fi
    } >"$log" 2>&1
}

# Every installed Go builds the scenario programs (cached under build/scenarios/goX.Y for the
# other suites); versions not in the main list get one healthy run each.
runs=()
for v in "${versions[@]}"; do runs+=("$v:$modes"); done
if [ -z "${GORCA_SANITIZED:-}" ] && [ -z "${GORCA_E2E_MODES:-}" ]; then
    for v in $("$GORCA_ROOT/scripts/go-env.sh" --list); do
        [[ " ${versions[*]} " == *" $v "* ]] && continue
        runs+=("$v:healthy")
    done
fi
for run in "${runs[@]}"; do
    v=${run%%:*}
    bins=$(scenario_bins "$v") || { bad "build scenario programs with Go $v"; continue; }
    ok "scenario programs build with Go $v"
    modes=${run#*:}
    # Two runs at a time: the load is modest (200 req/s) and captures mostly wait.
    set -- $modes
    while [ $# -gt 0 ]; do
        run_mode "$v" "$1" "$bins" &
        p1=$!
        p2=
        if [ $# -gt 1 ]; then run_mode "$v" "$2" "$bins" & p2=$!; fi
        wait $p1; [ -n "$p2" ] && wait $p2
        for m in "$1" ${p2:+"$2"}; do
            while IFS= read -r line; do
                case "$line" in
                ok*) pass=$((pass + 1)); echo "$line" ;;
                FAIL*) fail=$((fail + 1)); echo "$line" ;;
                skew*) echo "${line#skew }" >>"$tmp/skews" ;;
                skip*) skip=$((skip + 1)); echo "$line" ;;
                *) echo "     $line" ;;
                esac
            done <"$tmp/$v-$m.log"
        done
        shift; [ -n "$p2" ] && shift
    done
done
if [ -s "$tmp/skews" ]; then
    med=$(sort -n "$tmp/skews" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    max=$(sort -n "$tmp/skews" | tail -n 1)
    if [ "$med" -ge 0 ] && [ "$med" -le 10000000 ]; then
        ok "median window start skew <= 10 ms ($((med / 1000)) us over $(wc -l <"$tmp/skews") captures, max $((max / 1000)) us)"
    else
        bad "median window start skew $((med / 1000)) us > 10 ms"
    fi
fi
finish
