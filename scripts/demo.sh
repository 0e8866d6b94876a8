#!/usr/bin/env bash
# make demo: runs gorca's main job on the bundled sample capture (testdata/sample/, a real
# 2-second capture of the scenario service with two root causes at once; see its README) and
# prints the diagnosis. gorca analyze exits 3 when it finds something of medium severity or
# above, which is the point of the demo, so that status counts as success here.
set -u
cd "$(dirname "$0")/.."
G=${GORCA_BIN:-./build/gorca}
[ -x "$G" ] || { echo "demo: build gorca first (make)" >&2; exit 1; }
cat <<'TXT'
gorca demo: a Go HTTP service (testdata/go/scenarios, modes dns + mutex) was captured under load
with `gorca capture` into testdata/sample/. Its clients saw p50 0.5 ms but p99 254 ms.

$ gorca analyze testdata/sample
TXT
"$G" analyze testdata/sample
rc=$?
echo
echo "(exit status $rc: 3 = findings of medium severity or above; try --verbose, --format markdown, --json)"
[ "$rc" = 0 ] || [ "$rc" = 3 ]
