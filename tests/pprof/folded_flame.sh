#!/usr/bin/env bash
# gorca folded and gorca flame on the fixtures:
#  - folded equals the stacks go tool pprof -traces prints (Go 1.26 fixtures, when Go is
#    installed): each sample's frames reversed, joined by ';', summed per stack;
#  - without Go: folded sums to the profile total gorca top reports (itself checked against
#    pprof), names with ';' and spaces are sanitised, every line is "stack VALUE";
#  - flame: well-formed, self-contained SVG whose frames carry value and percent; in headless
#    Chromium (when installed) clicking zooms a frame to the full width, hides what is outside
#    it, and a search reports the matched share equal to the function's cum% from gorca top.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
bin=${GORCA_BIN:-build/gorca}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
dir=testdata/pprof/go1.26

# traces_to_folded: pprof -traces text on stdin -> folded lines (sorted, summed, > 0)
traces_to_folded() {
    python3 -c '
import re, sys
stacks, cur, val = {}, None, 0
def flush():
    if cur:
        key = ";".join(re.sub(r"\s", "_", f.replace(";", ",")) for f in reversed(cur))
        stacks[key] = stacks.get(key, 0) + val
for line in sys.stdin.read().split("\n"):
    if line.startswith("-----------+"):
        flush(); cur = None; continue
    m = re.match(r"^\s*(-?[0-9.]+)[a-zA-Z]*   (\S.*)$", line)
    if m:
        flush()
        val = int(float(m.group(1)))
        cur = [m.group(2)]
    elif cur is not None and line.startswith(" " * 13) and line.strip():
        cur.append(line[13:])
    else:
        continue
    cur[-1] = cur[-1][:-9] if cur[-1].endswith(" (inline)") else cur[-1]
flush()
for k in sorted(stacks, key=lambda s: s.encode()):
    if stacks[k] > 0:
        print(k, stacks[k])
'
}

go=$(scripts/go-env.sh 1.26 2>/dev/null || true)
if [ -n "$go" ] && [ -d "$dir" ] && command -v python3 >/dev/null; then
    while read -r prof unit opts; do
        # shellcheck disable=SC2086
        GOTOOLCHAIN=local "$go" tool pprof -symbolize=none -traces -unit="$unit" $opts "$dir/$prof.pb.gz" \
            2>/dev/null | traces_to_folded >"$tmp/want"
        gopts=$(sed -e 's/-sample_index=/--sample-index /' -e 's/-focus=/--focus /' <<<"$opts")
        # shellcheck disable=SC2086
        "$bin" folded $gopts "$dir/$prof.pb.gz" >"$tmp/got" 2>/dev/null
        if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then
            ok
        else
            bad "folded $prof $opts differs from go tool pprof -traces:"
            diff "$tmp/want" "$tmp/got" | head -n 6
        fi
    done <<'CASES'
cpu ns
cpu ns -focus=main\.crunch
heap B -sample_index=alloc_space
goroutine count
block ns
mutex ns -sample_index=contentions
delta-goroutine count
threadcreate count
CASES
else
    echo "skip folded vs go tool pprof -traces: no Go 1.26 or python3"
    skip=$((skip + 1))
fi

# Facts that need no oracle.
for prof in cpu heap allocs block mutex goroutine threadcreate; do
    total=$("$bin" top --json "$dir/$prof.pb.gz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    sum=$("$bin" folded "$dir/$prof.pb.gz" | awk '{ s += $NF } END { printf "%.0f", s }')
    if [ "$total" = "$sum" ]; then ok; else bad "folded $prof sums to $sum, top total is $total"; fi
done
"$bin" folded "$dir/cpu.pb.gz" >"$tmp/cpu.folded"
if grep -qF 'type:.hash.struct_{_main.a_int,_main.b_string_}' "$tmp/cpu.folded"; then ok; else
    bad "folded does not sanitise ';' and spaces"
fi
awk 'NF == 2' "$tmp/cpu.folded" | cmp -s - "$tmp/cpu.folded" && ok || bad "folded lines are not 'stack VALUE'"
LC_ALL=C sort -c "$tmp/cpu.folded" 2>/dev/null && ok || bad "folded lines are not sorted"
"$bin" folded "$dir/delta-goroutine.pb.gz" >/dev/null 2>"$tmp/err"
grep -q "^gorca: warning: [0-9]* stacks\? with a negative sum left out" "$tmp/err" && ok ||
    bad "no warning for negative stacks: $(cat "$tmp/err")"

# Flame graph: well-formed, self-contained, annotated.
"$bin" flame "$dir/cpu.pb.gz" -o "$tmp/f.svg" && ok || bad "gorca flame failed"
if python3 - "$tmp/f.svg" <<'PY'; then ok; else bad "flame SVG is malformed or not self-contained"; fi
import re, sys, xml.dom.minidom
text = open(sys.argv[1], encoding="utf-8").read()
doc = xml.dom.minidom.parseString(text)
assert doc.documentElement.tagName == "svg"
assert "href" not in text and "@import" not in text and "url(" not in text
assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)
frames = [g for g in doc.getElementsByTagName("g") if g.getAttribute("class") == "f"]
assert len(frames) > 20
for g in frames:
    t = g.getElementsByTagName("title")[0].firstChild.data
    assert re.search(r" \([^()]+, [0-9.]+%\)$", t), t
assert frames[0].getElementsByTagName("title")[0].firstChild.data.startswith("root (1.38s, 100.00%)")
PY

chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$chrome" ]; then
    want=$("$bin" top "$dir/cpu.pb.gz" | awk '$NF == "main.mix" || $(NF-1) == "main.mix" { print $5 }')
    python3 - "$tmp/f.svg" "$tmp/t.svg" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
drv = """<script type="text/ecmascript"><![CDATA[
window.addEventListener('load', function () {
  var out = [], spin = frames.filter(function (f) { return f.name === 'main.spin'; })[0];
  zoom(spin);
  out.push('zoom=' + spin.rect.getAttribute('x') + ',' + spin.rect.getAttribute('width'));
  out.push('hidden=' + frames.filter(function (f) { return f.g.style.display === 'none'; }).length);
  out.push('inside=' + frames.every(function (f) { return f.g.style.display === 'none' ||
      (+f.rect.getAttribute('x') >= 10 && +f.rect.getAttribute('x') + +f.rect.getAttribute('width') <= W - 9.9); }));
  reset();
  out.push('shown=' + frames.every(function (f) { return f.g.style.display !== 'none'; }));
  search(/^main\\.mix$/);
  out.push(matched.textContent.replace(' ', ''));
  var t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  t.setAttribute('id', 'result'); t.textContent = out.join(' ');
  document.documentElement.appendChild(t);
});
]]></script>
</svg>
"""
open(sys.argv[2], "w", encoding="utf-8").write(s.replace("</svg>\n", drv))
PY
    got=$(timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --dump-dom \
        "file://$tmp/t.svg" 2>/dev/null | grep -o '<text id="result">[^<]*' | sed 's/.*>//')
    m=${got##*Matched:}
    if [[ "$got" =~ ^zoom=10\.0,1180\.0\ hidden=[1-9][0-9]*\ inside=true\ shown=true\ Matched: ]] &&
        python3 -c "import sys; sys.exit(abs(float('${m%\%}') - float('${want%\%}')) > 0.051)"; then
        ok
    else
        bad "flame in $chrome: got '$got', want zoom to full width, reset, and Matched:$want"
    fi
else
    echo "skip flame browser check: no chromium"
    skip=$((skip + 1))
fi

echo "# folded_flame: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
