#!/usr/bin/env bash
# Fault injection for gorca capture against the fault server (testdata/go/scenarios/faultserver:
# the real net/http/pprof with chosen endpoints replaced by a fault) and the scenario service's
# auth/TLS options. Each case checks the documented outcome (exit code, the endpoint's state and
# error in manifest.json), that it came within its timeout, and that nothing partial was kept.
# Needs Go (skips cleanly without it) and python3 for JSON look-ups.
set -u
cd "$(dirname "$0")/../.."
export GORCA_ROOT=${GORCA_ROOT:-$PWD}
G=${GORCA_BIN:-$GORCA_ROOT/build/gorca}
. tests/capture/helpers.bash

v=$(pick_go 1.26 1.25 1.24 1.23 1.22)
if [ -z "$v" ] || ! command -v python3 >/dev/null; then
    skipped "fault injection: needs Go and python3"
    finish
fi
B=$(scenario_bins "$v") || { bad "build scenario programs with Go $v"; finish; }
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY no_proxy NO_PROXY
unset GORCA_BEARER_TOKEN GORCA_BASIC_AUTH
FAST=(--seconds 1 --grace 2s --connect-timeout 2s --quiet)

# cap NAME ARGS...: runs gorca capture into $tmp/NAME, sets RC, ELAPSED_MS and DIR.
cap() {
    local name=$1; shift
    DIR=$tmp/$name
    local t0; t0=$(now_ms)
    "$G" capture "$@" -o "$DIR" >"$tmp/$name.stdout" 2>"$tmp/$name.stderr"
    RC=$?
    ELAPSED_MS=$(( $(now_ms) - t0 ))
}

expect() { # NAME WANT_RC MAX_MS ENDPOINT STATE ERROR_SUBSTRING
    local name=$1 want=$2 max=$3 ep=$4 state=$5 sub=$6
    check "$name: exit $want (got $RC)" [ "$RC" = "$want" ]
    check "$name: within ${max} ms (took $ELAPSED_MS)" [ "$ELAPSED_MS" -le "$max" ]
    if [ ! -f "$DIR/manifest.json" ]; then bad "$name: no manifest"; return; fi
    check "$name: $ep is $state" [ "$(mf "$DIR" "e['$ep']['state']")" = "$state" ]
    if [ -n "$sub" ]; then
        local got; got=$(mf "$DIR" "e['$ep']['error']")
        if [[ "$got" == *"$sub"* ]]; then ok "$name: error says '$sub'"
        else bad "$name: error '$got' lacks '$sub'"; fi
    fi
    check "$name: nothing partial kept" nothing_partial "$DIR"
}

# ---- one fault server with a fault per endpoint --------------------------------------------
start faults "$B/faultserver" -hold 60s \
    -fault heap=slow-headers -fault allocs=slow-body -fault threadcreate=reset \
    -fault 'goroutine?debug=2=401' -fault 'goroutine?debug=1=403' -fault goroutine=404 \
    -fault cmdline=500 -fault profile=cpu-in-use -fault block=no-delta -fault mutex=html ||
    { bad "start fault server"; finish; }
F=$READY_URL

cap slow-headers "$F" "${FAST[@]}" --only heap,trace
expect slow-headers 1 6000 heap failed "no response within 2000 ms"
check "slow-headers: trace still captured" [ "$(mf "$DIR" "e['trace']['state']")" = ok ]

cap slow-body "$F" "${FAST[@]}" --only allocs
expect slow-body 2 6000 allocs failed "timed out after"

cap reset "$F" "${FAST[@]}" --only threadcreate,trace
expect reset 1 6000 threadcreate failed "connection broken after 5000 body bytes"
check "reset: error class is truncated" [ "$(mf "$DIR" "e['threadcreate']['error_class']")" = GORCA_E_TRUNCATED ]

cap status-codes "$F" "${FAST[@]}" --only goroutine-debug2,goroutine-debug1,goroutine,cmdline,trace
expect status-codes 1 6000 goroutine-debug2 failed "HTTP 401 Unauthorized"
check "status-codes: 403" [ "$(mf "$DIR" "'HTTP 403 Forbidden' in e['goroutine-debug1']['error']")" = yes ]
check "status-codes: 404 shows pprof's body" [ "$(mf "$DIR" "e['goroutine']['error']")" = "HTTP 404: Unknown profile" ]
check "status-codes: 500" [ "$(mf "$DIR" "e['cmdline']['error']")" = "HTTP 500: internal error" ]
check "status-codes: http_status recorded" [ "$(mf "$DIR" "[e[k]['http_status'] for k in ('goroutine-debug2','goroutine-debug1','goroutine','cmdline')]")" = "[401, 403, 404, 500]" ]
check "status-codes: trace ok" [ "$(mf "$DIR" "e['trace']['ok']")" = yes ]

cap cpu-in-use "$F" "${FAST[@]}" --only profile,trace
expect cpu-in-use 1 6000 profile failed "cpu profiling already in use"
check "cpu-in-use: the rest is captured" [ "$(mf "$DIR" "(m['ok'], e['trace']['state'])")" = "(1, 'ok')" ]
# --quiet suppresses the warning; run once more without it to see the message on stderr
"$G" capture "$F" --seconds 1 --grace 2s --only profile -o "$tmp/cpu-loud" 2>"$tmp/cpu-loud.err" >/dev/null
check "cpu-in-use: warning names the endpoint" grep -q "profile: HTTP 500: Could not enable CPU profiling" "$tmp/cpu-loud.err"
check "cpu-in-use: warning explains" grep -q "another CPU profile is running" "$tmp/cpu-loud.err"

cap html "$F" "${FAST[@]}" --only mutex
expect html 2 6000 mutex failed "got an HTML page"
check "html: error class malformed" [ "$(mf "$DIR" "e['mutex']['error_class']")" = GORCA_E_MALFORMED ]

cap no-delta "$F" "${FAST[@]}" --only block
check "no-delta: exit 0 (got $RC)" [ "$RC" = 0 ]
check "no-delta: block computed by gorca (end - start)" [ "$(mf "$DIR" "(e['block']['state'], e['block']['delta'])")" = "('ok', 'client')" ]
check "no-delta: start and end snapshots" [ "$(mf "$DIR" "(e['block-start']['ok'], e['block-end']['ok'])")" = "(True, True)" ]
check "no-delta: end snapshot at window end" [ "$(mf "$DIR" "e['block-end']['start_ns'] - e['block-start']['start_ns'] >= 0.9e9")" = yes ]
"$GORCA_ROOT/${GORCA_BUILD:-build}/tests/capture/test_capture" --verify "$DIR" >"$tmp/no-delta.verify"
check "no-delta: files valid" [ $? = 0 ]
check "no-delta: the delta has samples and is a block profile" grep -Eq 'block.pb.gz: profile, [1-9][0-9]* samples, kind block' "$tmp/no-delta.verify"
go=$("$GORCA_ROOT/scripts/go-env.sh" "$v")
GOTOOLCHAIN=local "$go" tool pprof -raw "$DIR/block.pb.gz" >"$tmp/delta.raw" 2>&1
check "no-delta: go tool pprof reads the delta" [ $? = 0 ]
GOTOOLCHAIN=local "$go" tool pprof -raw "$DIR/block-end.pb.gz" >"$tmp/end.raw" 2>&1
# contentions in the window: the delta's total must be end's total minus start's, as pprof sums
sum_contentions() { awk '/^Samples:/{s=1;next} /^Locations/{s=0} s && /^ *-?[0-9]+ +-?[0-9]+:/{sub(":","",$1); t+=$1} END{print t+0}' "$1"; }
GOTOOLCHAIN=local "$go" tool pprof -raw "$DIR/block-start.pb.gz" >"$tmp/start.raw" 2>&1
want=$(( $(sum_contentions "$tmp/end.raw") - $(sum_contentions "$tmp/start.raw") ))
check "no-delta: delta contentions = end - start per go tool pprof ($(sum_contentions "$tmp/delta.raw") vs $want)" [ "$(sum_contentions "$tmp/delta.raw")" = "$want" ]
stop "$LAST_PID"

# ---- size limits -------------------------------------------------------------------------
start big "$B/faultserver" -fault allocs=big -fault heap=big-length || bad "start big server"
cap too-big "$READY_URL" "${FAST[@]}" --only allocs,heap,goroutine --max-size 1M
expect too-big 1 6000 allocs failed "larger than the limit of 1048576 bytes"
check "too-big: declared length refused too" [ "$(mf "$DIR" "e['heap']['error_class']")" = GORCA_E_LIMIT ]
check "too-big: bytes never exceed the cap" [ "$(mf "$DIR" "e['allocs']['bytes'] <= 1048576")" = yes ]
stop "$LAST_PID"

# ---- a server that never answers, and no server at all -----------------------------------
start never "$B/faultserver" -never-answer || bad "start silent server"
cap never "$READY_URL" "${FAST[@]}"
check "never: exit 2 (got $RC)" [ "$RC" = 2 ]
check "never: gave up within connect+grace (took $ELAPSED_MS ms)" [ "$ELAPSED_MS" -le 8000 ]
check "never: preflight error" [ "$(mf "$DIR" "'preflight' in m['error'] and 'no response within 4000 ms' in m['error']")" = yes ]
check "never: nothing partial" nothing_partial "$DIR"
stop "$LAST_PID"

cap refused http://127.0.0.1:9 "${FAST[@]}"
check "refused: exit 2 (got $RC)" [ "$RC" = 2 ]
check "refused: fast (took $ELAPSED_MS ms)" [ "$ELAPSED_MS" -le 4000 ]
check "refused: cannot connect" [ "$(mf "$DIR" "'cannot connect' in m['error']")" = yes ]

# ---- TLS ---------------------------------------------------------------------------------
mkdir -p "$tmp/tls-a" "$tmp/tls-b"
start tls "$B/faultserver" -tls -tls-dir "$tmp/tls-a" || bad "start TLS server"
T=$READY_URL
start tls-other "$B/faultserver" -tls -tls-dir "$tmp/tls-b" || bad "start second TLS server"
cap tls-wrong-ca "$T" "${FAST[@]}" --only goroutine --cacert "$tmp/tls-b/ca.pem"
check "tls-wrong-ca: exit 2 (got $RC)" [ "$RC" = 2 ]
check "tls-wrong-ca: TLS error" [ "$(mf "$DIR" "'TLS:' in m['error'] or 'certificate' in m['error']")" = yes ]
check "tls-wrong-ca: nothing partial" nothing_partial "$DIR"
cap tls-system-store "$T" "${FAST[@]}" --only goroutine
check "tls-system-store: self-signed refused (exit $RC)" [ "$RC" = 2 ]
cap tls-right-ca "$T" "${FAST[@]}" --only goroutine,heap --cacert "$tmp/tls-a/ca.pem"
check "tls-right-ca: exit 0 (got $RC)" [ "$RC" = 0 ]
"$G" capture "$T" --seconds 1 --only goroutine --insecure -o "$tmp/tls-insecure" >/dev/null 2>"$tmp/tls-insecure.err"
check "tls-insecure: exit 0 (got $?)" [ -f "$tmp/tls-insecure/goroutine.pb.gz" ]
check "tls-insecure: warns" grep -q "warning: --insecure" "$tmp/tls-insecure.err"

# ---- auth and mTLS on the real scenario service ------------------------------------------
start auth "$B/service" -pprof-basic-auth ops:s3cret -pprof-bearer tok123 -pprof-prefix /admin/debug/pprof ||
    bad "start service with auth"
A=$READY_URL
cap auth-none "$A" "${FAST[@]}" --prefix /admin/debug/pprof --only goroutine
check "auth-none: exit 2 (got $RC)" [ "$RC" = 2 ]
check "auth-none: 401 in preflight" [ "$(mf "$DIR" "'HTTP 401' in m['error']")" = yes ]
"$G" capture "$A" --seconds 1 --prefix /admin/debug/pprof --only goroutine -o "$tmp/auth-hint" 2>"$tmp/auth-hint.err" >/dev/null
check "auth-none: hint names the variables" grep -q "GORCA_BEARER_TOKEN" "$tmp/auth-hint.err"
GORCA_BASIC_AUTH=ops:s3cret cap auth-basic-env "$A" "${FAST[@]}" --prefix /admin/debug/pprof --only goroutine,heap
check "auth-basic-env: exit 0 (got $RC)" [ "$RC" = 0 ]
printf 'tok123\n' >"$tmp/token"
cap auth-bearer-file "$A" "${FAST[@]}" --prefix /admin/debug/pprof --only goroutine --bearer-token-file "$tmp/token"
check "auth-bearer-file: exit 0 (got $RC)" [ "$RC" = 0 ]
check "auth-bearer-file: token not in the manifest" bash -c "! grep -q tok123 '$DIR/manifest.json'"
cap auth-url-path "$A/admin/debug/pprof" "${FAST[@]}" --only goroutine -H 'Authorization: Bearer tok123'
check "auth-url-path: prefix from the URL, header auth (exit $RC)" [ "$RC" = 0 ]
printf 'wrong:pass\n' >"$tmp/basic"
cap auth-wrong "$A" "${FAST[@]}" --prefix /admin/debug/pprof --only goroutine --basic-auth-file "$tmp/basic"
check "auth-wrong: exit 2 (got $RC)" [ "$RC" = 2 ]
stop "$LAST_PID"

start mtls "$B/service" -tls -mtls -tls-dir "$tmp" || bad "start mTLS service"
M=$READY_URL
cap mtls-ok "$M" "${FAST[@]}" --only goroutine --cacert "$tmp/ca.pem" --cert "$tmp/client.pem" --key "$tmp/client-key.pem"
check "mtls-ok: exit 0 (got $RC)" [ "$RC" = 0 ]
cap mtls-nocert "$M" "${FAST[@]}" --only goroutine --cacert "$tmp/ca.pem"
check "mtls-nocert: refused (exit $RC)" [ "$RC" = 2 ]
stop "$LAST_PID"

# ---- the real "cpu profiling already in use" ---------------------------------------------
start selfprof "$B/service" -self-cpu-profile || bad "start self-profiling service"
cap real-cpu-in-use "$READY_URL" "${FAST[@]}" --only profile,goroutine
expect real-cpu-in-use 1 6000 profile failed "Could not enable CPU profiling: cpu profiling already in use"
stop "$LAST_PID"

# ---- unix socket, proxy, redirects, directories, many targets ----------------------------
sock=$tmp/pprof.sock
start unix "$B/faultserver" -unix "$sock" || bad "start unix-socket server"
cap unix "unix:$sock" "${FAST[@]}" --only goroutine,cmdline
check "unix: exit 0 (got $RC)" [ "$RC" = 0 ]
check "unix: dump captured" [ -s "$DIR/goroutine.pb.gz" ]
stop "$LAST_PID"

start plain "$B/faultserver" -fault profile=redirect || bad "start plain server"
P=$READY_URL
start proxy "$B/faultserver" -proxy || bad "start proxy"
http_proxy=$READY_URL cap proxied "$P" "${FAST[@]}" --only goroutine,cmdline
check "proxy: exit 0 (got $RC)" [ "$RC" = 0 ]
check "proxy: requests went through http_proxy" grep -q "proxied $P/debug/pprof/goroutine" "$tmp/proxy.err"
n_before=$(grep -c proxied "$tmp/proxy.err")
http_proxy=$READY_URL no_proxy=127.0.0.1 cap no-proxy "$P" "${FAST[@]}" --only goroutine
check "no_proxy: bypassed (exit $RC)" [ "$RC" = 0 ] && [ "$(grep -c proxied "$tmp/proxy.err")" = "$n_before" ]

cap redirect "$P" "${FAST[@]}" --only profile
expect redirect 2 6000 profile failed "redirect to '"

mkdir -p "$tmp/full" && echo x >"$tmp/full/old"
"$G" capture "$P" --seconds 1 --only goroutine -o "$tmp/full" >/dev/null 2>"$tmp/full.err"
rc=$?
check "non-empty dir: refused with exit 2 (got $rc)" [ "$rc" = 2 ]
check "non-empty dir: says --force" grep -q -- "--force" "$tmp/full.err"
"$G" capture "$P" --seconds 1 --only goroutine -o "$tmp/full" --force --quiet
check "non-empty dir: --force writes (exit $?)" [ -s "$tmp/full/goroutine.pb.gz" ]

printf '# targets\n%s\n\nhttp://127.0.0.1:9\n%s/debug/pprof\n' "$P" "$F" >"$tmp/targets"
start faults2 "$B/faultserver" || bad "start second plain server"
printf '%s\nhttp://127.0.0.1:9\n%s\n' "$P" "$READY_URL" >"$tmp/targets"
t0=$(now_ms)
"$G" capture --targets "$tmp/targets" --parallel 3 "${FAST[@]}" --only goroutine,trace -o "$tmp/many" --json >"$tmp/many.json"
rc=$?
el=$(( $(now_ms) - t0 ))
check "targets: exit 1 (one target down, got $rc)" [ "$rc" = 1 ]
check "targets: ran in parallel (took $el ms)" [ "$el" -le 5000 ]
p1=$(echo "$P" | sed 's#http://##; s#:#_#'); p2=$(echo "$READY_URL" | sed 's#http://##; s#:#_#')
check "targets: one directory per target" [ -f "$tmp/many/$p1/trace.out" ] && [ -f "$tmp/many/$p2/trace.out" ] && [ -f "$tmp/many/127.0.0.1_9/manifest.json" ]
check "targets: JSON summary lists three targets" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))
assert s["schema"]=="gorca.capture-summary/1" and s["exit_code"]==1
assert sorted(t["status"] for t in s["targets"])==["complete","complete","failed"]' "$tmp/many.json"

# The note on Go 1.22-1.24 tracers (golang/go#70454): said for a Go 1.22 service's trace, not
# for the newest Go's.
"$G" capture "$P" --seconds 1 --only trace -o "$tmp/trace-new" >/dev/null 2>"$tmp/trace-new.err"
check "tracer note: none for Go $v" [ "$(grep -c 'golang/go#70454' "$tmp/trace-new.err")" = 0 ]
if "$GORCA_ROOT/scripts/go-env.sh" 1.22 >/dev/null 2>&1 && B22=$(scenario_bins 1.22); then
    start old "$B22/faultserver" || bad "start Go 1.22 server"
    "$G" capture "$READY_URL" --seconds 1 --only trace,goroutine -o "$tmp/trace-old" >/dev/null 2>"$tmp/trace-old.err"
    check "tracer note: Go 1.22 service warned about golang/go#70454" \
        grep -q "runs Go 1.22-1.24 (its trace is in the go 1.22 format): tracing can crash" "$tmp/trace-old.err"
    "$G" capture "$READY_URL" --seconds 1 --only trace --quiet -o "$tmp/trace-quiet" >/dev/null 2>"$tmp/trace-quiet.err"
    check "tracer note: --quiet keeps it quiet" [ ! -s "$tmp/trace-quiet.err" ]
else
    skipped "tracer note for Go 1.22: Go 1.22 is not installed"
fi

finish
