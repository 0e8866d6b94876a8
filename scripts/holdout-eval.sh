#!/usr/bin/env bash
# Holdout evaluation of `gorca analyze`: builds the holdout services (testdata/go/holdout,
# written blind to the diagnosis rules) with each requested Go version, runs every variant
# of testdata/go/holdout/variants.txt under its load, captures it with `gorca capture`,
# diagnoses the bundle with `gorca analyze --format json` and compares the top finding with
# the variant's known cause. Prints a table and the totals (top-1 accuracy over faulty
# variants, healthy runs accused = any finding >= medium) and writes build/holdout/results.json.
#
# usage: scripts/holdout-eval.sh [--go 1.22,1.26] [--only NAME[,NAME...]] [--seconds N]
#                                [--capture-only] [--list]
#   --only       variants whose name matches one of the shell patterns (e.g. 'orders-*')
#   --seconds    capture window (default 3)
#   --capture-only  run and capture, skip the diagnosis (validating the services)
# Environment: GORCA_BIN (default build/gorca), HOLDOUT_OUT (default build/holdout).
# Exit status: 0 when the run completed (whatever the accuracy), 1 on setup errors.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
gorca=${GORCA_BIN:-$root/build/gorca}
out=${HOLDOUT_OUT:-$root/build/holdout}
variants_file=$root/testdata/go/holdout/variants.txt
versions=1.22,1.24,1.26
only=""
seconds=3
capture_only=0
list=0

while [ $# -gt 0 ]; do
    case "$1" in
    --go) versions=${2:?--go needs a list}; shift 2 ;;
    --go=*) versions=${1#--go=}; shift ;;
    --only) only=${2:?--only needs a name}; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --capture-only) capture_only=1; shift ;;
    --list) list=1; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "holdout-eval: unknown argument '$1' (see --help)" >&2; exit 1 ;;
    esac
done
case "$seconds" in '' | *[!0-9]*) echo "holdout-eval: --seconds must be a number" >&2; exit 1 ;; esac

# variants.txt: NAME | APP | EXPECTED | WARMUP_SECONDS | SERVICE FLAGS | LOAD FLAGS
trim() { local x=${1#"${1%%[![:space:]]*}"}; echo "${x%"${x##*[![:space:]]}"}"; }
names=() apps=() expects=() warmups=() sflags=() lflags=()
while IFS='|' read -r n a e w s l; do
    n=$(trim "$n")
    case "$n" in '' | '#'*) continue ;; esac
    if [ -n "$only" ]; then
        match=0
        IFS=',' read -ra pats <<<"$only"
        for p in "${pats[@]}"; do
            # shellcheck disable=SC2053
            [[ "$n" == $p ]] && match=1
        done
        [ "$match" = 1 ] || continue
    fi
    names+=("$n"); apps+=("$(trim "$a")"); expects+=("$(trim "$e")")
    warmups+=("$(trim "$w")"); sflags+=("$s"); lflags+=("$l")
done <"$variants_file"
if [ "${#names[@]}" = 0 ]; then
    echo "holdout-eval: no variant matches '${only}'" >&2
    exit 1
fi
if [ "$list" = 1 ]; then
    for i in "${!names[@]}"; do printf '%-28s %-8s %s\n' "${names[$i]}" "${apps[$i]}" "${expects[$i]}"; done
    exit 0
fi

[ -x "$gorca" ] || { echo "holdout-eval: $gorca not found (run make first)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "holdout-eval: python3 is needed (scripts/install-deps.sh)" >&2; exit 1; }
if [ "$capture_only" = 0 ] && ! "$gorca" analyze --help >/dev/null 2>&1; then
    echo "holdout-eval: this gorca has no 'analyze' command yet; capturing only" >&2
    capture_only=1
fi

mkdir -p "$out"
rows=$out/rows.jsonl
: >"$rows"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ready_field() { # FILE FIELD
    python3 - "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    l = l.strip()
    if l.startswith("{") and '"ready"' in l:
        v = json.loads(l).get(sys.argv[2])
        print("" if v is None else v)
        break
PY
}

run_variant() { # VERSION BINDIR INDEX
    local v=$1 bin=$2 i=$3
    local name=${names[$i]} app=${apps[$i]} expected=${expects[$i]} warm=${warmups[$i]}
    local dir=$out/runs/go$v/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    local -a sargs largs
    eval "sargs=(${sflags[$i]})"
    eval "largs=(${lflags[$i]})"
    # Leading NAME=VALUE words are the service's environment (GOGC, GODEBUG, ...), the way a
    # deployment sets them.
    local -a senv=()
    while [ "${#sargs[@]}" -gt 0 ] && [[ "${sargs[0]}" =~ ^[A-Z_][A-Z0-9_]*= ]]; do
        senv+=("${sargs[0]}")
        sargs=("${sargs[@]:1}")
    done
    printf '%s\n' "${senv[*]} ${sargs[*]}" >"$dir/service.flags"
    printf '%s\n' "${largs[*]}" >"$dir/load.flags"

    local la
    la=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
    env ${senv[@]+"${senv[@]}"} "$bin/$app" "${sargs[@]}" -max-lifetime 3m >"$dir/service.out" 2>"$dir/service.err" &
    local spid=$!
    pids+=("$spid")
    local t
    for t in $(seq 600); do
        grep -q '"event":"ready"' "$dir/service.out" 2>/dev/null && break
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    local status=ok url pprof_url ca
    if ! grep -q '"event":"ready"' "$dir/service.out" 2>/dev/null; then
        status="service did not start"
        tail -n 5 "$dir/service.err" >&2
    else
        url=$(ready_field "$dir/service.out" url)
        pprof_url=$(ready_field "$dir/service.out" pprof_url)
        ca=$(ready_field "$dir/service.out" ca)
        local total=$((warm + seconds + 2))
        "$bin/hload" -url "$url" ${ca:+-ca "$ca"} -d "${total}s" "${largs[@]}" \
            >"$dir/load.json" 2>"$dir/load.err" &
        local lpid=$!
        pids+=("$lpid")
        sleep "$warm"
        "$gorca" capture "$pprof_url" -s "$seconds" -o "$dir/bundle" -q >"$dir/capture.out" 2>"$dir/capture.err"
        local crc=$?
        wait "$lpid"
        [ "$crc" -le 1 ] || status="capture failed (exit $crc)"
        if [ "$capture_only" = 0 ] && [ "$crc" -le 1 ]; then
            "$gorca" analyze --format json "$dir/bundle" >"$dir/analysis.json" 2>"$dir/analyze.err"
            local arc=$?
            [ "$arc" = 0 ] || [ "$arc" = 3 ] || status="analyze failed (exit $arc)"
        fi
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    python3 - "$dir" "$name" "$app" "$v" "$expected" "$status" "$capture_only" "$la" >>"$rows" <<'PY'
import json, os, sys
d, name, app, v, expected, status, capture_only, la = sys.argv[1:9]
row = {"variant": name, "app": app, "go": v, "expected": expected, "status": status,
       "bundle": os.path.join(d, "bundle"), "load_average": la}
try:
    load = json.load(open(os.path.join(d, "load.json")))
    row["load"] = {k: load.get(k) for k in ("requests", "rps", "errors", "timeouts", "latency_ms")}
except Exception:
    row["load"] = None
try:
    row["ready"] = next(json.loads(l) for l in open(os.path.join(d, "service.out")) if '"ready"' in l)
except Exception:
    pass
rank = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
if capture_only == "0" and status == "ok":
    try:
        a = json.load(open(os.path.join(d, "analysis.json")))
        fs = sorted(a.get("findings", []), key=lambda f: -float(f.get("score", 0)))
        row["findings"] = [{"cause": f.get("cause"), "severity": f.get("severity"),
                            "score": f.get("score")} for f in fs]
        top = fs[0] if fs else None
        row["top"] = row["findings"][0] if top else None
        alarming = [f for f in fs if rank.get(f.get("severity"), 0) >= 2]
        if expected == "healthy":
            row["accused"] = bool(alarming)
            row["correct"] = not alarming
        else:
            row["correct"] = bool(top and top.get("cause") == expected)
            row["correct_and_alarming"] = bool(row["correct"] and rank.get(top.get("severity"), 0) >= 2)
    except Exception as e:
        row["status"] = "bad analysis JSON: %s" % e
print(json.dumps(row))
PY
    python3 - "$rows" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
t = r.get("top")
top = "%s %s %.2f" % (t["cause"], t["severity"], float(t["score"])) if t else ("-" if "findings" in r else "(not analysed)")
ok = {True: "yes", False: "NO"}.get(r.get("correct"), "-")
lat = r.get("load") or {}
lat = (lat.get("latency_ms") or {}) if lat else {}
fs = r.get("findings") or []
nxt = ("then " + ",".join("%s/%s" % (f["cause"], f["severity"]) for f in fs[1:3])) if len(fs) > 1 else ""
print("%-24s go%-5s %-18s %-36s %-4s p99=%-7s %s%s" % (r["variant"], r["go"], r["expected"], top, ok,
      "%sms" % lat.get("p99", "?"), nxt, "" if r["status"] == "ok" else " [" + r["status"] + "]"), flush=True)
PY
}

IFS=',' read -ra vlist <<<"$versions"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "holdout: ${#names[@]} variants x Go ${versions}, ${seconds}s captures, into $out (load average $load_start)" >&2
for v in "${vlist[@]}"; do
    bin=$("$root/testdata/go/holdout/build.sh" "$v") || { echo "holdout-eval: build with Go $v failed" >&2; exit 1; }
    for i in "${!names[@]}"; do
        run_variant "$v" "$bin" "$i"
    done
done

python3 - "$rows" "$out/results.json" "$capture_only" "$started" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" "$(nproc 2>/dev/null)" "$("$gorca" version 2>/dev/null | head -n 1)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
faulty = [r for r in rows if r["expected"] != "healthy" and "correct" in r]
healthy = [r for r in rows if r["expected"] == "healthy" and "correct" in r]
right = sum(1 for r in faulty if r["correct"])
accused = sum(1 for r in healthy if r.get("accused"))
summary = {
    "runs": len(rows),
    "faulty_runs": len(faulty), "top1_correct": right,
    "top1_accuracy": round(right / len(faulty), 4) if faulty else None,
    "top1_correct_and_medium_or_worse": sum(1 for r in faulty if r.get("correct_and_alarming")),
    "healthy_runs": len(healthy), "healthy_accused": accused,
    "failed_runs": sum(1 for r in rows if r["status"] != "ok"),
    "started": sys.argv[4], "cpus": sys.argv[7], "gorca": sys.argv[8],
    "load_average_start": sys.argv[5], "load_average_end": sys.argv[6],
}
json.dump({"schema": "gorca.holdout-results/1", "summary": summary, "runs": rows},
          open(sys.argv[2], "w"), indent=1)
print()
if sys.argv[3] == "1":
    print("captured %d runs (%d failed); no diagnosis" % (len(rows), summary["failed_runs"]))
else:
    acc = "%.1f %%" % (100 * summary["top1_accuracy"]) if faulty else "n/a"
    print("top-1 accuracy over faulty variants: %d/%d = %s" % (right, len(faulty), acc))
    print("healthy runs accused (a finding >= medium): %d of %d" % (accused, len(healthy)))
    if summary["failed_runs"]:
        print("runs that failed to run or analyse: %d" % summary["failed_runs"])
print("load average %s at the start, %s at the end (%s CPUs)" % (sys.argv[5], sys.argv[6], sys.argv[7]))
print("results: " + sys.argv[2])
PY
