#!/usr/bin/env bash
# Every C source and header in the repository is formatted by the project's .clang-format
# (make format applies it). Skipped where clang-format or git is missing.
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
name=format.sh
if ! command -v clang-format >/dev/null || ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "# $name: 0 passed, 0 failed, 1 skipped (needs clang-format and a git checkout)"
    exit 0
fi
pass=0 fail=0
while IFS= read -r f; do
    if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL $f is not clang-formatted (run make format)"
        fail=$((fail + 1))
    fi
done < <(git ls-files '*.c' '*.h')
echo "# $name: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
