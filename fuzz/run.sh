#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.c harness with clang's libFuzzer (+ASan+UBSan) and runs each for
# $1 seconds (default 30) on a copy of its seed corpus (fuzz/corpus/<name>); new crashes are
# left in build/fuzz-out/<name>/ and make the script fail. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
out=build/fuzz-out
mkdir -p "$out"
make -s all BUILD=build/fuzzlib CC=clang SANITIZER=address,undefined \
    O=-O1 CFLAGS="-fsanitize=fuzzer-no-link"
libs="-ldeflate -lz -lcurl -lpcre2-8 -ljansson -lm -lpthread"
status=0
for h in fuzz/fuzz_*.c; do
    name=$(basename "$h" .c); name=${name#fuzz_}
    bin=$out/fuzz_$name
    clang -O1 -g -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=all "$h" build/fuzzlib/libgorca.a $libs -o "$bin"
    work=$out/$name; mkdir -p "$work/corpus"
    [ -d "fuzz/corpus/$name" ] && cp -rn "fuzz/corpus/$name/." "$work/corpus/" 2>/dev/null || true
    dict=(); [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="$PWD/fuzz/dict/$name.dict")
    echo "fuzz: $name for ${secs}s"
    if ! (cd "$work" && "$OLDPWD/$bin" -max_total_time="$secs" -rss_limit_mb=4096 \
            -max_len=1048576 "${dict[@]}" corpus >log.txt 2>&1); then
        echo "fuzz: $name FAILED, see $work/log.txt"; tail -n 30 "$work/log.txt"; status=1
    else
        grep -E '^#[0-9]+.*(DONE|pulse)' "$work/log.txt" | tail -n 1 || true
    fi
done
exit $status
