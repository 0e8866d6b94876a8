#!/usr/bin/env bash
# Light check of the holdout services (testdata/go/holdout): they build with one installed Go,
# every app starts with each of its faults listed, prints its ready line, serves its API and
# its pprof mount, and exits cleanly (children included) on SIGTERM; hload produces a summary;
# variants.txt only names faults the apps know and covers every cause of issue 6. The full
# evaluation (scripts/holdout-eval.sh) is not part of `make test`.
set -u
root=${GORCA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$root/testdata/go/holdout
pass=0 fail=0 skip=0
pids=()
tmp=$(mktemp -d /tmp/gorca-holdout-test.XXXXXX)
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
    echo "# build.sh (holdout): $pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
    exit $?
}

causes="dns_resolution mutex_contention gc_stw gc_assist netpoll_blocking handler_blocking
goroutine_leak channel_blocking tls_handshake syscall_blocking scheduler_latency panic_recovery"

# --- variants.txt is consistent (no Go needed) ---
declare -A covered=()
nhealthy=0 bad_lines=0
while IFS='|' read -r n a e w s l; do
    n=$(echo "$n" | tr -d '[:space:]')
    case "$n" in '' | '#'*) continue ;; esac
    a=$(echo "$a" | tr -d '[:space:]'); e=$(echo "$e" | tr -d '[:space:]'); w=$(echo "$w" | tr -d '[:space:]')
    if [ "$e" = healthy ]; then
        nhealthy=$((nhealthy + 1))
    elif [[ " $(echo $causes) " == *" $e "* ]]; then
        covered[$e]=1
    else
        bad "variant $n: unknown expected cause '$e'"; bad_lines=$((bad_lines + 1))
    fi
    case "$a" in orders | gateway | jobs | feed | ledger) ;; *) bad "variant $n: unknown app '$a'"; bad_lines=$((bad_lines + 1)) ;; esac
    case "$w" in '' | *[!0-9]*) bad "variant $n: warmup '$w' is not a number"; bad_lines=$((bad_lines + 1)) ;; esac
    echo "$n $a $(echo "$s" | sed -n 's/.*-fault \([a-z]*\).*/\1/p')" >>"$tmp/variant-faults"
done <"$here/variants.txt"
[ "$bad_lines" = 0 ] && ok "variants.txt: every line names a known app, cause and warmup"
missing=""
for c in $causes; do [ -n "${covered[$c]:-}" ] || missing="$missing $c"; done
if [ -z "$missing" ]; then ok "variants.txt covers all 12 causes"; else bad "variants.txt misses:$missing"; fi
if [ "$nhealthy" -ge 3 ]; then ok "variants.txt has $nhealthy healthy variants"; else bad "only $nhealthy healthy variants"; fi

# --- build with one Go ---
v=""
for c in 1.26 1.25 1.24 1.23 1.22; do
    "$root/scripts/go-env.sh" "$c" >/dev/null 2>&1 && { v=$c; break; }
done
if [ -z "$v" ]; then
    echo "skip: no Go >= 1.22 installed"
    skip=$((skip + 1))
    finish
fi
if bin=$("$here/build.sh" "$v" "$root/build/holdout/go$v" 2>"$tmp/build.err"); then
    ok "holdout programs build with Go $v"
else
    bad "holdout build with Go $v"; cat "$tmp/build.err"; finish
fi

field() { # FILE FIELD
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if "\"ready\"" in l: print(json.loads(l).get(sys.argv[2]) or ""); break' "$1" "$2"
}

# Every fault named in variants.txt is one the app lists.
unknown=0
while read -r n a f; do
    if ! "$bin/$a" -list 2>/dev/null | awk '{print $1}' | grep -qx "$f"; then
        bad "variant $n: $a has no fault '$f'"; unknown=$((unknown + 1))
    fi
done <"$tmp/variant-faults"
[ "$unknown" = 0 ] && ok "every fault in variants.txt is listed by its app (-list)"

for app in orders gateway jobs feed ledger; do
    out=$tmp/$app.out
    "$bin/$app" -max-lifetime 60s >"$out" 2>"$tmp/$app.err" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 300); do
        grep -q '"event":"ready"' "$out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '"event":"ready"' "$out"; then
        bad "$app: no ready line"; tail -5 "$tmp/$app.err"; continue
    fi
    url=$(field "$out" url)
    purl=$(field "$out" pprof_url)
    ca=$(field "$out" ca)
    if [ -n "$url" ] && [ -n "$purl" ] && [[ "$url" == http*://127.0.0.1:* ]]; then
        ok "$app: ready line with url and pprof_url on loopback"
    else
        bad "$app: ready line lacks url/pprof_url: $(head -c 300 "$out")"
    fi
    if curl -sf ${ca:+--cacert "$ca"} "$url/healthz" >/dev/null; then ok "$app: API answers /healthz"; else bad "$app: /healthz"; fi
    if curl -sf "$purl/goroutine?debug=1" | head -1 | grep -q '^goroutine profile: total'; then
        ok "$app: pprof goroutine dump at pprof_url"
    else
        bad "$app: no pprof at $purl"
    fi
    if [ "$app" = orders ]; then
        if "$bin/hload" -url "$url" -d 1s -c 2 -rate 50 -mix 'GET /v1/orders/{n}*2,POST /v1/orders*1' >"$tmp/load.json" 2>/dev/null &&
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["requests"] > 10 and d["errors"] == 0 and d["latency_ms"]["count"] > 0' "$tmp/load.json"; then
            ok "hload: 1 s of load, JSON summary with latencies"
        else
            bad "hload run: $(cat "$tmp/load.json")"
        fi
    fi
    children=$(pgrep -P "$pid" | tr '\n' ' ')
    kill -TERM "$pid"
    ended=0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { ended=1; break; }
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
    rc=$?
    left=""
    for c in $children; do kill -0 "$c" 2>/dev/null && left="$left $c"; done
    if [ "$ended" = 1 ] && [ "$rc" = 0 ] && [ -z "$left" ]; then
        ok "$app: exits 0 on SIGTERM${children:+ with its children}"
    else
        bad "$app: SIGTERM: ended=$ended rc=$rc children left:$left"
        for c in $left; do kill "$c" 2>/dev/null; done
    fi
done

# The fault flags of the apps with helper children start them (DNS server, object store, upstream,
# export sidecar).
for spec in "gateway -fault dns" "jobs -fault srvdns" "ledger -fault exportlock"; do
    set -- $spec
    "$bin/$1" "${@:2}" -max-lifetime 60s >"$tmp/f.out" 2>"$tmp/f.err" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 300); do grep -q '"event":"ready"' "$tmp/f.out" 2>/dev/null && break; sleep 0.1; done
    if grep -q '"event":"ready"' "$tmp/f.out" && [ -n "$(pgrep -P "$pid")" ]; then ok "$spec: ready with a helper child"; else bad "$spec: not ready"; fi
    kill -TERM "$pid"; wait "$pid" 2>/dev/null
done
finish
