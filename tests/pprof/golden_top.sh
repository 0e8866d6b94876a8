#!/usr/bin/env bash
# gorca top == go tool pprof -top: every case of testdata/pprof/cases.txt on the fixtures of
# every Go version, compared with the output that version's pprof printed (testdata/pprof/
# go1.*/CASE.top). Both run with TZ=UTC; Go 1.21-1.23's pprof prints Time: in an older layout,
# so that one line is left out of the comparison for those versions only.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
export TZ=UTC
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dirs=(testdata/pprof/go1.*)
set -f # case options hold regexes, not globs

# to_gorca OPTS...: pprof spellings to gorca's.
to_gorca() {
    local a
    for a in "$@"; do
        case $a in
        -nodecount=*) printf '%s\n' --nodecount "${a#*=}" ;;
        -sample_index=*) printf '%s\n' --sample-index "${a#*=}" ;;
        -focus=* | -ignore=* | -hide=* | -show=*) printf '%s\n' "-${a%%=*}" "${a#*=}" ;;
        -cum | -mean) printf '%s\n' "-$a" ;;
        *) printf '%s\n' "$a" ;;
        esac
    done
}

for dir in "${dirs[@]}"; do
    v=${dir##*/go}
    minor=${v#1.}
    while read -r name profs opts; do
        [[ -z "$name" || "$name" == \#* ]] && continue
        want=$dir/$name.top
        if [ ! -f "$want" ]; then
            skip=$((skip + 1))
            continue
        fi
        args=()
        IFS=, read -ra ps <<<"$profs"
        for p in "${ps[@]}"; do
            if [[ $p == base:* ]]; then args+=(--base "$dir/${p#base:}.pb.gz"); else args+=("$dir/$p.pb.gz"); fi
        done
        # shellcheck disable=SC2086 # options are words without spaces
        mapfile -t gopts < <(to_gorca $opts)
        if ! "$bin" top "${gopts[@]}" "${args[@]}" >"$tmp/got" 2>"$tmp/err"; then
            echo "FAIL go$v $name: gorca top failed: $(head -c 300 "$tmp/err")"
            fail=$((fail + 1))
            continue
        fi
        if [ "$minor" -le 23 ]; then
            grep -v '^Time: ' "$want" >"$tmp/want"
            grep -v '^Time: ' "$tmp/got" >"$tmp/got2"
            mv "$tmp/got2" "$tmp/got"
        else
            cp "$want" "$tmp/want"
        fi
        if cmp -s "$tmp/got" "$tmp/want"; then
            pass=$((pass + 1))
        else
            echo "FAIL go$v $name: gorca top ${gopts[*]} differs from go tool pprof -top $opts:"
            diff "$tmp/want" "$tmp/got" | head -n 10
            fail=$((fail + 1))
        fi
    done <testdata/pprof/cases.txt
done
echo "# golden_top: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
