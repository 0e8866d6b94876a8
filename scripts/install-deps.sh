#!/usr/bin/env bash
# Installs every Debian package gorca's build, tests, benchmarks and demo need, idempotently.
# Go toolchains (fixtures and oracles only; gorca itself is C):
#   1.21-1.23 from bookworm-backports (added beside the existing bookworm entry, same mirror);
#   1.24-1.26 from trixie / trixie-backports, downloaded through a throw-away apt configuration
#   under /tmp and unpacked into /opt/go-1.XX. trixie is never added to the system's sources.
# Usage: scripts/install-deps.sh [--no-go] [--no-browser]
set -euo pipefail

want_go=1
want_browser=1
for a in "$@"; do
    case "$a" in
    --no-go) want_go=0 ;;
    --no-browser) want_browser=0 ;;
    *) echo "install-deps: unknown option '$a'" >&2; exit 2 ;;
    esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# The mirror the system already uses (first URIs: line of the deb822 file or first deb line).
mirror() {
    local m=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        m=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
        m=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=$(mirror)

PKGS=(build-essential clang llvm lld libclang-rt-14-dev clang-format pkg-config groff-base
      zlib1g-dev libdeflate-dev libcurl4-openssl-dev libpcre2-dev libjansson-dev
      ca-certificates curl openssl python3 time hyperfine valgrind)
if [ "$want_browser" = 1 ]; then PKGS+=(chromium chromium-driver nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

apt_updated=0
apt_update() { if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi; }

if [ "$want_go" = 1 ]; then
    # bookworm-backports beside the existing bookworm entry.
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb $MIRROR bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/gorca-bookworm-backports.list >/dev/null
        apt_updated=0
    fi
    for v in 1.21 1.22 1.23; do
        [ -x "/usr/lib/go-$v/bin/go" ] || missing+=("golang-$v-go")
    done
fi

if [ "${#missing[@]}" -gt 0 ]; then
    # nodejs may already come from elsewhere (nodesource); don't fight it.
    if command -v node >/dev/null 2>&1; then
        filtered=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) filtered+=("$p");; esac; done
        missing=("${filtered[@]}")
    fi
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    apt_update
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$want_go" = 1 ]; then
    need=()
    for v in 1.24 1.25 1.26; do [ -x "/opt/go-$v/bin/go" ] || need+=("$v"); done
    if [ "${#need[@]}" -gt 0 ]; then
        tmp=$(mktemp -d /tmp/gorca-apt.XXXXXX)
        trap 'rm -rf "$tmp"' EXIT
        mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/debs"
        cat >"$tmp/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie-backports main
SRC
        opts=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::archives=$tmp/archives"
              -o "APT::Get::List-Cleanup=0")
        $SUDO apt-get "${opts[@]}" update -qq
        for v in "${need[@]}"; do
            (cd "$tmp/debs" && apt-get "${opts[@]}" download -qq "golang-$v-go" "golang-$v-src")
            root="$tmp/root-$v"
            mkdir -p "$root"
            for d in "$tmp"/debs/golang-"$v"-*.deb; do dpkg -x "$d" "$root"; done
            # The packages put GOROOT at usr/lib/go-1.XX with relative symlinks (api, misc, src,
            # test, pkg/include) into usr/share/go-1.XX; replace each by the directory it names
            # so /opt/go-1.XX is a self-contained GOROOT.
            src="$root/usr/lib/go-$v"
            while IFS= read -r link; do
                target=$(readlink -f "$link")
                rm "$link"
                cp -a "$target" "$link"
            done < <(find "$src" -maxdepth 3 -type l)
            $SUDO rm -rf "/opt/go-$v.tmp"
            $SUDO cp -a "$src" "/opt/go-$v.tmp"
            rm -f "$tmp"/debs/*.deb
            $SUDO rm -rf "/opt/go-$v"
            $SUDO mv "/opt/go-$v.tmp" "/opt/go-$v"
            "/opt/go-$v/bin/go" version >/dev/null
            echo "install-deps: Go $v in /opt/go-$v"
        done
    fi
fi

if [ "$want_browser" = 1 ] && [ -f "$(dirname "$0")/../tests/html/package.json" ]; then
    (cd "$(dirname "$0")/../tests/html" && [ -d node_modules/playwright-core ] || npm install --no-audit --no-fund --silent)
fi
echo "install-deps: ok"
