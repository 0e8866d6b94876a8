#!/usr/bin/env bash
# Script test of `make install`: into a temporary DESTDIR it installs the binary, both
# libraries, the headers, a pkg-config file that a C program compiles and links against (and
# which then runs against the installed shared library), and a man page that groff renders
# without warnings. Skipped in the sanitizer run (the installed build is the plain one).
set -u
cd "${GORCA_ROOT:-$(dirname "$0")/../..}"
build=${GORCA_BUILD:-build}
name=install.sh
pass=0 fail=0
if [ -n "${GORCA_SANITIZED:-}" ]; then
    echo "# $name: 0 passed, 0 failed, 1 skipped (sanitizer run)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

if make -s install BUILD="$build" DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/make.log" 2>&1; then ok; else
    bad "make install: $(tail -n 5 "$tmp/make.log")"
fi
for f in bin/gorca lib/libgorca.a lib/libgorca.so lib/libgorca.so.0 include/gorca/gorca.h \
    include/gorca/analysis.h lib/pkgconfig/gorca.pc share/man/man1/gorca.1; do
    if [ -e "$tmp/root/usr/$f" ]; then ok; else bad "missing /usr/$f"; fi
done
if [ "$("$tmp/root/usr/bin/gorca" version 2>&1 | head -c 6)" = "gorca " ]; then ok; else
    bad "installed gorca version: $("$tmp/root/usr/bin/gorca" version 2>&1)"
fi
cat >"$tmp/app.c" <<'C'
#include <gorca/gorca.h>
#include <stdio.h>
int main(void)
{
    printf("%s\n", gorca_input_kind_name(GORCA_INPUT_GOROUTINE_DEBUG2));
    return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR=$tmp/root PKG_CONFIG_PATH=$tmp/root/usr/lib/pkgconfig
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror "$tmp/app.c" $(pkg-config --cflags --libs gorca) -o "$tmp/app" 2>"$tmp/cc.log"; then
    ok
    out=$(LD_LIBRARY_PATH=$tmp/root/usr/lib "$tmp/app")
    if [ "$out" = goroutine_debug2 ]; then ok; else bad "linked program printed '$out'"; fi
    if LD_LIBRARY_PATH=$tmp/root/usr/lib ldd "$tmp/app" | grep -q "$tmp/root/usr/lib/libgorca.so.0"; then ok; else
        bad "the program is not linked against the installed libgorca.so.0"
    fi
else
    bad "compiling against pkg-config gorca: $(head -c 400 "$tmp/cc.log")"
fi
man=$tmp/root/usr/share/man/man1/gorca.1
warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
if [ -z "$warn" ]; then ok; else bad "man page warnings: $warn"; fi
if groff -man -Tutf8 "$man" 2>/dev/null | grep -q "gorca analyze"; then ok; else bad "man page does not render"; fi
echo "# $name: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
