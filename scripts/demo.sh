#!/usr/bin/env bash
# make demo: runs gorca's main job on the bundled sample capture (testdata/sample/).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "gorca demo: the sample capture is not bundled yet"
./build/gorca --help
