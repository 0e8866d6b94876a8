#!/usr/bin/env bash
# Derives Go 1.19 and 1.20 goroutine dumps from the real Go 1.21 fixtures, since only Go
# 1.21-1.26 are installed here. The differences are the ones the runtime's traceback.go and
# runtime2.go history documents (pprof-formats.md §3.2, §3.4, §8):
#   * "created by F" without " in goroutine N"                        (both; added in 1.21)
#   * more than 100 frames: the first 100, then "...additional frames elided..." instead of
#     50 + "...N frames elided..." + 50                                (both; changed in 1.21)
#   * lock waits print "semacquire" instead of "sync.Mutex.Lock", "sync.RWMutex.RLock" and
#     "sync.RWMutex.Lock"                                              (1.19; added in 1.20)
# Everything else (frame lines, arguments, headers) is unchanged between 1.19 and 1.21.
# usage: derive.sh [SRCDIR]   (default testdata/dump/go1.21)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
src=${1:-$root/testdata/dump/go1.21}

# Drops " in goroutine N" and rewrites the 50+50 elision into the old 100 + marker form.
old_traceback() {
    awk '
    /^created by / { sub(/ in goroutine [0-9]+$/, "") }
    /^\.\.\.[0-9]+ frames elided\.\.\.$/ {
        # Keep the frames printed so far (50 of the wanted 100) plus the 50 after the marker,
        # so 100 frames come before the new marker, as Go <= 1.20 printed them.
        held = 1; next
    }
    held && /^created by / { print "...additional frames elided..."; held = 0 }
    held && /^$/ { print "...additional frames elided..."; held = 0 }
    { print }
    END { if (held) print "...additional frames elided..." }
    '
}

semacquire() {
    sed -E 's/^(goroutine [0-9]+ \[)(sync\.Mutex\.Lock|sync\.RWMutex\.RLock|sync\.RWMutex\.Lock)/\1semacquire/'
}

for v in 1.20 1.19; do
    out=$root/testdata/dump/go$v-derived
    mkdir -p "$out"
    for f in debug2.txt crash-panic.txt crash-deadlock.txt; do
        if [ "$v" = 1.19 ]; then
            old_traceback <"$src/$f" | semacquire >"$out/$f"
        else
            old_traceback <"$src/$f" >"$out/$f"
        fi
    done
    {
        echo "# derived by testdata/go/dumps/derive.sh from $(basename "$src") for Go $v"
        grep -v '^#' "$src/facts.txt"
    } >"$out/facts.txt"
done
echo "derive.sh: wrote testdata/dump/go1.20-derived and go1.19-derived"
