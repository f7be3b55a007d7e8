#!/bin/sh
# `make install` into a DESTDIR must install shoji.pc and the headers so
# that an out-of-tree driver builds with `pkg-config --cflags shoji` alone
# and runs correctly.
. "$top_srcdir/tests/lib/common.sh"

D="$SHOJI_TMP/destdir"
log="$SHOJI_TMP/install.log"

# Run install in the build tree without the parent make's job-server flags.
if ! env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$D" \
	>"$log" 2>&1; then
	sed 's/^/    /' "$log" | tail -n 30
	fail "make install DESTDIR=$D failed"
fi

pc=$(find "$D" -name shoji.pc | head -n 1)
[ -n "$pc" ] || fail "shoji.pc was not installed under $D"
pcdir=$(dirname "$pc")
echo "found $pc"

command -v pkg-config >/dev/null 2>&1 || fail "pkg-config not found"
pkgconf() {
	PKG_CONFIG_SYSROOT_DIR="$D" PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" \
		pkg-config "$@"
}
pkgconf --exists shoji || fail "pkg-config cannot read $pc"
includedir=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" \
	pkg-config --variable=includedir shoji)
cflags=$(pkgconf --cflags shoji)
echo "includedir=$includedir cflags=$cflags"
case "$cflags" in
*"-I$D$includedir"*) ;;
*) fail "pkg-config --cflags shoji ($cflags) does not point into $D$includedir" ;;
esac

# Every ABI header the package promises is installed at $(includedir)/shoji.
for h in abi-check.h elfnote.h errno.h event_channel.h grant_table.h hvm.h memory.h \
	sched.h start_info.h vcpu.h version.h xen.h io/blkif.h io/console.h io/netif.h \
	io/ring.h io/xenbus.h io/xs_wire.h; do
	[ -f "$D$includedir/shoji/$h" ] || fail "$includedir/shoji/$h was not installed"
done
[ ! -e "$D$includedir/include" ] || fail "headers were installed under $includedir/include"

# Build the driver against the installed tree only: no -I into the source tree.
cc=${CC:-cc}
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror $cflags -o "$SHOJI_TMP/driver" \
	"$top_srcdir/tests/install/driver.c" || fail "driver does not build against $D"
"$SHOJI_TMP/driver" || fail "driver exited with status $?"
echo "PASS: out-of-tree driver built with pkg-config --cflags shoji and ran"

# A Dom0 program links against the installed libraries with --libs alone.
libs=$(pkgconf --libs shoji)
libdir=$D$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" pkg-config --variable=libdir shoji)
# A tree configured with --enable-sanitizers installs ASan-built libraries,
# which only load into a program built the same way.
san=
nm -D "$libdir/libshoji-ctrl.so" 2>/dev/null | grep -q __asan_init && san=-fsanitize=address,undefined
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror $san $cflags -o "$SHOJI_TMP/backend" \
	"$top_srcdir/tests/install/backend.c" $libs || fail "backend does not link against $D ($libs)"
LD_LIBRARY_PATH="$libdir" "$SHOJI_TMP/backend" || fail "backend exited with status $?"
echo "PASS: out-of-tree Dom0 program linked with pkg-config --libs shoji and ran"

# Each installed library exports its shoji_* API and nothing else (STYLE 12).
for so in "$libdir"/libshoji-*.so; do
	extra=$(nm -D --defined-only "$so" | awk '$3 !~ /^shoji_/ { print $3 }')
	[ -z "$extra" ] || fail "$(basename "$so") exports more than shoji_*: $extra"
done
echo "PASS: the installed libraries export only shoji_* symbols"
