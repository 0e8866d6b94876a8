#!/usr/bin/env bash
# End to end: for every scenario mode of the real Go scenario service (and two mixed cases),
# run it under the open-loop load generator, `gorca capture` a 2 s window, `gorca analyze` the
# bundle and check the diagnosis: the mode's cause is the top finding (with severity medium or
# above, the right exit status 3 and its code location in the scenario's functions); a healthy
# service gets no finding of medium or above (exit 0); a mix reports both causes at medium or
# above, ranked by their share of request latency. Every mode runs under Go 1.26 and Go 1.22.
#
# The scenario knobs below only make each mechanism dominate the run on a busy 2-core machine
# (they are the service's documented flags); the rules never see them.
#
# Cost: 14 runs per Go version, two at a time (a CPU-heavy mode beside a light one), about
# 6 s each: ~1.5 min per version. Under ASan (GORCA_SANITIZED=1) only healthy and dns,mutex on
# one version run live; the sanitizer pass analyses the recorded fixtures in
# tests/diagnosis instead. GORCA_E2E_MODES and GORCA_E2E_GO override the lists;
# GORCA_E2E_KEEP=DIR keeps the bundles and reports there.
set -u
cd "$(dirname "$0")/../.."
export GORCA_ROOT=${GORCA_ROOT:-$PWD}
G=${GORCA_BIN:-$GORCA_ROOT/build/gorca}
. tests/capture/helpers.bash
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY
WINDOW=2

# mode | expected top cause ("none" for healthy; "a+b" for mixes) | service flags
matrix=(
    "healthy|none|"
    "cpu|scheduler_latency|"
    "dns|dns_resolution|"
    "gc|gc_assist|-gogc 25"
    "mutex|mutex_contention|-lock-hold 3ms"
    "outbound|netpoll_blocking|"
    "tls|tls_handshake|"
    "sleep|handler_blocking|"
    "leak|goroutine_leak|"
    "chan|channel_blocking|-consumer-cost 150ms"
    "panic|panic_recovery|"
    "fsync|syscall_blocking|-fsync-bytes 67108864"
    "dns,mutex|dns_resolution+mutex_contention|-lock-hold 3ms"
    "gc,leak|gc_assist+goroutine_leak|-gogc 25"
)
versions=()
for v in ${GORCA_E2E_GO:-1.26 1.22}; do
    "$GORCA_ROOT/scripts/go-env.sh" "$v" >/dev/null 2>&1 && versions+=("$v")
done
[ ${#versions[@]} -gt 0 ] || { v=$(pick_go); [ -n "$v" ] && versions=("$v"); }
if [ -n "${GORCA_SANITIZED:-}" ]; then
    matrix=("healthy|none|" "dns,mutex|dns_resolution+mutex_contention|-lock-hold 3ms")
    versions=("${versions[0]:-}")
fi
if [ -n "${GORCA_E2E_MODES:-}" ]; then
    sel=()
    for row in "${matrix[@]}"; do
        case " $GORCA_E2E_MODES " in *" ${row%%|*} "*) sel+=("$row") ;; esac
    done
    matrix=("${sel[@]}")
fi
if [ ${#versions[@]} -eq 0 ] || [ -z "${versions[0]}" ] || ! command -v python3 >/dev/null; then
    skipped "end to end: needs Go and python3"
    finish
fi
keep=${GORCA_E2E_KEEP:-}

# run VERSION MODE EXPECT FLAGS BINS: service + load + capture + analyze; writes
# $tmp/VERSION-MODE.log with "ok ..."/"FAIL ..." lines.
run() {
    local v=$1 mode=$2 expect=$3 flags=$4 bins=$5 tag="go$1 $2"
    local out=$tmp/$1-$2 svc lg rc url
    {
        # shellcheck disable=SC2086
        "$bins/service" -mode "$mode" -max-lifetime 2m $flags >"$out.svc" 2>"$out.svc.err" &
        svc=$!
        url=
        for _ in $(seq 600); do
            url=$(python3 -c 'import json,sys;print(json.loads(open(sys.argv[1]).readline())["url"])' "$out.svc" 2>/dev/null)
            [ -n "$url" ] && break
            kill -0 $svc 2>/dev/null || break
            sleep 0.1
        done
        if [ -z "$url" ]; then
            local alive=exited
            kill -0 $svc 2>/dev/null && alive="still running"
            echo "FAIL $tag: service did not start ($alive); stdout: $(head -c 200 "$out.svc"); stderr: $(tail -2 "$out.svc.err")"
            kill $svc 2>/dev/null; wait $svc 2>/dev/null; return
        fi
        "$bins/loadgen" -url "$url" -d $((WINDOW + 3))s -c 64 -rate 200 >"$out.load" 2>"$out.load.err" &
        lg=$!
        sleep 1
        "$G" capture "$url" -o "$out.bundle" --seconds $WINDOW --quiet >"$out.cap" 2>&1
        rc=$?
        wait $lg
        kill $svc 2>/dev/null; wait $svc 2>/dev/null
        target_crashed "$tag" "$out.svc.err" && return
        [ "$rc" = 0 ] || echo "     capture exit $rc: $(head -c 200 "$out.cap")"
        "$G" analyze --json "$out.bundle" >"$out.json" 2>"$out.err"
        rc=$?
        "$G" analyze "$out.bundle" >"$out.txt" 2>/dev/null
        python3 - "$out.json" "$rc" "$tag" "$expect" "$out.load" <<'PY'
import json, sys
path, rc, tag, expect, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def out(ok, what):
    print(("ok   " if ok else "FAIL ") + tag + ": " + what)
try:
    d = json.load(open(path))
except Exception as e:
    out(False, "analyze output is not JSON (exit %d): %s" % (rc, e)); sys.exit()
f = d["findings"]
serious = [x for x in f if x["severity"] in ("medium", "high", "critical")]
top = f[0] if f else None
desc = ", ".join("%s %s %.2f" % (x["cause"], x["severity"], x["score"]) for x in f[:4]) or "no findings"
try:
    l = json.load(open(load))["latency_ms"]
    desc += "; client p50 %.1f ms p99 %.1f ms" % (l["p50"], l["p99"])
except Exception:
    pass
out(d["schema"] == "gorca.analysis/1" and d["summary"]["evidence"]["trace"], "schema and trace evidence")
if expect == "none":
    out(not serious and rc == 0, "healthy: no finding of medium or above, exit 0 (%s)" % desc)
elif "+" in expect:
    want = expect.split("+")
    got = {x["cause"]: x for x in serious}
    out(all(w in got for w in want) and rc == 3, "both %s at medium or above, exit 3 (%s)" % (" and ".join(want), desc))
    if all(w in got for w in want):
        a, b = got[want[0]], got[want[1]]
        first, second = (a, b) if f.index(a) < f.index(b) else (b, a)
        out(top["cause"] in want and first["latency_share"] >= second["latency_share"],
            "top finding is one of them and they rank by latency share (%s %.2f, %s %.2f)" %
            (first["cause"], first["latency_share"], second["cause"], second["latency_share"]))
else:
    out(top is not None and top["cause"] == expect and top["severity"] in ("medium", "high", "critical") and rc == 3,
        "top finding %s at medium or above, exit 3 (%s)" % (expect, desc))
    if top is not None and top["cause"] == expect:
        locs = [l["function"] for l in top["locations"]] + [h["handler"] for h in top["handlers"]]
        out(any(x.startswith("main.") for x in locs) and top["advice"] and top["evidence"],
            "it names code in the service, evidence and advice (%s)" % ", ".join(locs[:3]))
PY
        if [ -n "$keep" ]; then
            mkdir -p "$keep"; rm -rf "${keep:?}/$1-$2"; cp -r "$out.bundle" "$keep/$1-$2"
            cp "$out.txt" "$keep/$1-$2.txt"; cp "$out.load" "$keep/$1-$2.load"
        fi
    } >"$tmp/$1-$2.log" 2>&1
}

heavy=" cpu gc mutex tls gc,leak "
for v in "${versions[@]}"; do
    bins=$(scenario_bins "$v") || { bad "build scenario programs with Go $v"; continue; }
    # Pair a CPU-heavy mode with a light one so that two runs share the 2 cores fairly.
    light=() heavyrows=()
    for row in "${matrix[@]}"; do
        case "$heavy" in *" ${row%%|*} "*) heavyrows+=("$row") ;; *) light+=("$row") ;; esac
    done
    pairs=()
    while [ ${#heavyrows[@]} -gt 0 ] || [ ${#light[@]} -gt 0 ]; do
        a= b=
        if [ ${#heavyrows[@]} -gt 0 ]; then a=${heavyrows[0]}; heavyrows=("${heavyrows[@]:1}");
        else a=${light[0]}; light=("${light[@]:1}"); fi
        if [ ${#light[@]} -gt 0 ]; then b=${light[0]}; light=("${light[@]:1}"); fi
        pairs+=("$a^$b")
    done
    for p in "${pairs[@]}"; do
        a=${p%%^*} b=${p#*^}
        IFS='|' read -r m1 e1 f1 <<<"$a"
        run "$v" "$m1" "$e1" "$f1" "$bins" &
        p1=$!
        p2=
        if [ -n "$b" ]; then
            IFS='|' read -r m2 e2 f2 <<<"$b"
            run "$v" "$m2" "$e2" "$f2" "$bins" &
            p2=$!
        fi
        wait $p1; [ -n "$p2" ] && wait $p2
        for m in "$m1" ${b:+"$m2"}; do
            while IFS= read -r line; do
                case "$line" in
                ok*) pass=$((pass + 1)); echo "$line" ;;
                FAIL*) fail=$((fail + 1)); echo "$line" ;;
                skip*) skip=$((skip + 1)); echo "$line" ;;
                *) echo "     $line" ;;
                esac
            done <"$tmp/$v-$m.log"
        done
    done
done
finish
