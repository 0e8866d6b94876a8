#!/usr/bin/env bash
# Trace benchmark (make bench): records a >= 200 MB execution trace from a busy Go program
# (bench/trace_load: many goroutines, channels, loopback HTTP, GC) with Go 1.26, then on the
# same file times gorca's full parse + ordering (`gorca trace stats`, best of 5, as the machine
# may be shared) against `go tool trace -pprof=sched` (Go 1.26, once), and prints wall-time and
# peak-RSS ratios and gorca's throughput. The trace and outputs stay in bench/out/trace (not in git).
# Note: Go's tool needs about 15 GB of RAM for a 220 MB trace.
# Knobs: TRACE_BENCH_BYTES (default 220000000), TRACE_BENCH_NO_GO=1 (skip the oracle).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/trace
mkdir -p "$out"
go=$(scripts/go-env.sh 1.26 2>/dev/null) || { echo "bench/trace.sh: skip: Go 1.26 is not installed"; exit 0; }
want=${TRACE_BENCH_BYTES:-220000000}
trace=$out/busy.trace
if [ ! -f "$trace" ] || [ "$(stat -c %s "$trace")" -lt "$want" ]; then
    echo "trace bench: recording a ${want}-byte trace with $($go version | cut -d' ' -f3)"
    (cd bench/trace_load && GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOFLAGS=-mod=mod \
        "$go" build -o "../../$out/trace_load" .)
    "$out/trace_load" -o "$trace" -size "$want"
fi
bytes=$(stat -c %s "$trace")
cat "$trace" >/dev/null # page cache warm for both readers

best=""
for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e %U %S %M" -o "$out/gorca.time" build/gorca trace stats "$trace" >"$out/gorca.stats"
    read -r w u s m <"$out/gorca.time"
    if [ -z "$best" ] || awk -v a="$w" -v b="$bw" 'BEGIN{exit !(a < b)}'; then
        best=1 bw=$w bu=$u bs=$s bm=$m
    fi
done
events=$(awk '/^events/ {print $2}' "$out/gorca.stats")
printf 'trace bench: %s (%d bytes, %s events, %s generations)\n' "$trace" "$bytes" "$events" \
    "$(awk '/^generations/ {print $2}' "$out/gorca.stats")"
printf '  gorca trace stats:          %6.2f s wall, %6.2f s user, %8d KB peak RSS, %6.1f MB/s (wall), %6.1f MB/s (user+sys)\n' \
    "$bw" "$bu" "$bm" "$(awk -v b="$bytes" -v t="$bw" 'BEGIN{print b/1e6/t}')" \
    "$(awk -v b="$bytes" -v t="$bu" -v s="$bs" 'BEGIN{print b/1e6/(t+s)}')"
if [ "${TRACE_BENCH_NO_GO:-}" = 1 ]; then
    exit 0
fi
if ! /usr/bin/time -f "%e %U %S %M" -o "$out/go.time" env GOTOOLCHAIN=local "$go" tool trace \
    -pprof=sched "$trace" >"$out/sched.pb" 2>"$out/go.err"; then
    echo "  go tool trace failed: $(tail -n 3 "$out/go.err")"
    exit 1
fi
read -r gw gu gs gm <"$out/go.time"
printf '  go tool trace -pprof=sched: %6.2f s wall, %6.2f s user, %8d KB peak RSS\n' "$gw" "$gu" "$gm"
printf '  ratios: gorca is %.1fx faster (wall), %.1fx (CPU time), uses 1/%.0f of the peak memory\n' \
    "$(awk -v a="$gw" -v b="$bw" 'BEGIN{print a/b}')" \
    "$(awk -v a="$gu" -v s="$gs" -v b="$bu" -v t="$bs" 'BEGIN{print (a+s)/(b+t)}')" \
    "$(awk -v a="$gm" -v b="$bm" 'BEGIN{print a/b}')"
printf '  targets: >= 10x faster, <= 1/10 of the memory, >= 200 MB/s on one core; load average now: %s\n' \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
