# Shared by the capture script tests (sourced, not run): Go toolchain choice, building the
# scenario programs, starting loopback servers and reading their ready line, JSON look-ups,
# assertions that count into the "# name: P passed, F failed, S skipped" summary.
# Every process started here is killed by its pid on exit.

pass=0 fail=0 skip=0
pids=()
tmp=$(mktemp -d /tmp/gorca-capture-test.XXXXXX)

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skipped() { skip=$((skip + 1)); echo "skip $*"; }

# target_crashed TAG STDERR_FILE: when the service died of a Go runtime fatal error during the
# run, prints a "skip" line for the known runtime bug golang/go#70454 (Go 1.22-1.24's tracer can
# kill the traced process at a generation boundary; docs/commands/capture.md) or a "FAIL" line
# for any other crash, and returns 0; returns 1 when the service did not crash.
target_crashed() {
    local tag=$1 crash
    crash=$(grep -m1 '^fatal error: ' "$2" 2>/dev/null) || return 1
    case "$crash" in
    *"mcall called on m->g0 stack"*)
        echo "skip $tag: the Go runtime crashed the service ($crash, golang/go#70454); nothing to check" ;;
    *) echo "FAIL $tag: the service crashed during the run: $crash" ;;
    esac
    return 0
}
check() { # description, command...
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
    echo "# $(basename "$0"): $pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
    exit $?
}

# Prints the build directory with service, loadgen and faultserver for Go version $1, building
# them when stale; fails when that Go is not installed.
scenario_bins() {
    "$GORCA_ROOT/testdata/go/scenarios/build.sh" "$1" 2>"$tmp/build-$1.err" || {
        cat "$tmp/build-$1.err" >&2
        return 1
    }
}

# Newest installed Go among the arguments (or any installed), empty when none.
pick_go() {
    local v
    for v in "$@"; do
        "$GORCA_ROOT/scripts/go-env.sh" "$v" >/dev/null 2>&1 && { echo "$v"; return; }
    done
    "$GORCA_ROOT/scripts/go-env.sh" --list 2>/dev/null | tail -n 1
}

# start NAME CMD...: runs CMD in the background with stdout in $tmp/NAME.out, waits (30 s at
# most) for its JSON ready line and sets READY_URL (and READY_CA etc. from the line).
start() {
    local name=$1; shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    LAST_PID=$!
    local i
    for i in $(seq 300); do
        grep -q '"event":"ready"' "$tmp/$name.out" 2>/dev/null && break
        kill -0 "$LAST_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '"event":"ready"' "$tmp/$name.out" 2>/dev/null; then
        echo "$name did not start:" >&2; tail -5 "$tmp/$name.err" >&2
        return 1
    fi
    READY_URL=$(ready_field "$name" url)
    READY_CA=$(ready_field "$name" ca)
}

ready_field() { # NAME FIELD
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if "\"ready\"" in l:
        print(json.loads(l).get(sys.argv[2]) or ""); break' "$tmp/$1.out" "$2"
}

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# mf DIR PYEXPR: evaluates a Python expression over the manifest m and prints the result
# (e = dict of endpoints by id).
mf() {
    python3 -c 'import json,sys
m=json.load(open(sys.argv[1]+"/manifest.json"))
e={x["id"]:x for x in m["endpoints"]}
r=eval(sys.argv[2])
print(r if not isinstance(r,bool) else ("yes" if r else "no"))' "$1" "$2"
}

# Nothing partial is taken for complete: no temporary (.part) file is left, and an endpoint
# that did not succeed has no file in the bundle (its canonical name is absent).
nothing_partial() { # DIR
    python3 -c 'import json,os,sys
d=sys.argv[1]
files={"profile":"profile.pb.gz","trace":"trace.out","block":"block.pb.gz","mutex":"mutex.pb.gz",
 "goroutine-debug2":"goroutine-debug2.txt","goroutine-debug1":"goroutine-debug1.txt",
 "goroutine":"goroutine.pb.gz","heap":"heap.pb.gz","allocs":"allocs.pb.gz",
 "threadcreate":"threadcreate.pb.gz","cmdline":"cmdline.txt","goroutine-end":"goroutine-end-debug1.txt",
 "block-start":"block-start.pb.gz","block-end":"block-end.pb.gz","mutex-start":"mutex-start.pb.gz",
 "mutex-end":"mutex-end.pb.gz"}
m=json.load(open(d+"/manifest.json"))
bad=[f for f in os.listdir(d) if f.endswith(".part")]
for x in m["endpoints"]:
    if not x["ok"] and os.path.exists(os.path.join(d,files[x["id"]])): bad.append(files[x["id"]])
    if x["ok"] and (x["file"]!=files[x["id"]] or not os.path.exists(os.path.join(d,x["file"]))): bad.append("missing "+x["id"])
if bad: print("  partial/unexpected files:", bad)
sys.exit(1 if bad else 0)' "$1"
}

now_ms() { date +%s%3N; }
