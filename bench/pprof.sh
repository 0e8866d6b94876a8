#!/usr/bin/env bash
# gorca top vs go tool pprof -top (Go 1.26) on one large profile, in one run: generates a CPU
# profile of ~450k distinct stacks (>= 50 MB uncompressed) from real Go function names with
# bench/pprof_gen.c and gorca's encoder, checks both tools print the same table, then times
# each RUNS times (default 1; the best run counts) with /usr/bin/time and prints wall-time
# and peak-RSS ratios. Targets: gorca >= 10x faster, <= 1/5 of pprof's peak memory.
# Environment: BENCH_SAMPLES (default 450000), RUNS, BENCH_OUT (default bench/out).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench/out}
samples=${BENCH_SAMPLES:-450000}
runs=${RUNS:-1}
mkdir -p "$out"
go=$(scripts/go-env.sh 1.26 2>/dev/null || scripts/go-env.sh "$(scripts/go-env.sh --list | tail -n 1)")
[ -n "$go" ] || { echo "bench/pprof.sh: no Go toolchain (scripts/go-env.sh)"; exit 1; }
[ -x build/gorca ] || make -s all
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$out/pprof_gen" bench/pprof_gen.c build/libgorca.a \
    -ldeflate -lz -lpcre2-8 -lm
prof=$out/big-cpu.pb.gz
if [ ! -f "$prof" ] || [ "$prof" -ot bench/pprof_gen.c ]; then
    "$out/pprof_gen" "$prof" "$samples" 1 testdata/pprof/go1.26/cpu.pb.gz \
        testdata/pprof/go1.26/heap.pb.gz testdata/pprof/go1.26/block.pb.gz \
        testdata/pprof/go1.26/goroutine.pb.gz | tee "$out/big-cpu.info"
else
    cat "$out/big-cpu.info"
fi

export TZ=UTC GOTOOLCHAIN=local GOPROXY=off
# measure NAME CMD...: best wall time (s) and its peak RSS (KB) over $runs runs.
measure() {
    local name=$1 best_t="" best_m="" t m
    shift
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$out/$name.time" "$@" >"$out/$name.top" 2>/dev/null
        read -r t m <"$out/$name.time"
        if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t best_m=$m; fi
    done
    echo "$best_t $best_m"
}
read -r gt gm < <(measure gorca build/gorca top "$prof")
read -r pt pm < <(measure pprof "$go" tool pprof -top "$prof")
if ! diff <(grep -v '^Time:' "$out/gorca.top") <(grep -v '^Time:' "$out/pprof.top") >/dev/null; then
    echo "bench/pprof.sh: gorca top and go tool pprof -top disagree on $prof" >&2
    exit 1
fi
echo "same table: $(($(wc -l <"$out/gorca.top") - 6)) rows (gorca top == go tool pprof -top)"
printf '%-28s %10s %12s\n' "" "wall (s)" "peak RSS (MB)"
printf '%-28s %10s %12.1f\n' "gorca top" "$gt" "$(awk "BEGIN{print $gm/1024}")"
printf '%-28s %10s %12.1f\n' "go tool pprof -top ($($go env GOVERSION))" "$pt" "$(awk "BEGIN{print $pm/1024}")"
awk -v gt="$gt" -v pt="$pt" -v gm="$gm" -v pm="$pm" 'BEGIN {
    sp = (gt > 0) ? pt / gt : 0; mem = gm / pm
    printf "speedup %.1fx (target >= 10x), memory %.3f of pprof = 1/%.1f (target <= 1/5)\n",
        sp, mem, 1 / mem
}'
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
