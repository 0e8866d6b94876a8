#!/usr/bin/env bash
# Prints the go binary of an installed Go version (1.21..1.26), or with --list the installed
# versions, one per line. Exit 1 when the version is not installed.
set -u
gobin() {
    local v=$1
    for d in "/opt/go-$v/bin/go" "/usr/lib/go-$v/bin/go"; do
        [ -x "$d" ] && { echo "$d"; return 0; }
    done
    return 1
}
if [ "${1:-}" = "--list" ]; then
    for v in 1.21 1.22 1.23 1.24 1.25 1.26; do gobin "$v" >/dev/null && echo "$v"; done
    exit 0
fi
[ $# -eq 1 ] || { echo "usage: go-env.sh VERSION | --list" >&2; exit 2; }
gobin "$1"
