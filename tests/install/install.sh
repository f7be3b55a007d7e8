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

# --- The guest SDK (shoji-guest.pc) and the ping example built out of tree: both halves'
# sources copied to a scratch directory and built with pkg-config alone, as
# docs/writing-a-pv-driver.md tells a driver author to.
pkgconf --exists shoji-guest || fail "shoji-guest.pc was not installed in $pcdir"
gcflags=$(pkgconf --cflags shoji-guest)
glibs=$(pkgconf --libs shoji-guest)
sdkdir=$D$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" pkg-config --variable=sdkdir shoji-guest)
for f in "$D$includedir/shoji-guest/shoji-guest.h" "$sdkdir/libshoji-guest.a" "$sdkdir/shoji-guest.lds"; do
	[ -f "$f" ] || fail "the guest SDK lacks $f"
done
case "$(ls "$libdir")" in
*libshoji-guest*) fail "the freestanding guest runtime was installed in $libdir, where host programs link" ;;
esac
src="$SHOJI_TMP/ping"
mkdir -p "$src/proto"
cp "$top_srcdir/pv-drivers/guest/ping-front/ping-front.c" "$top_srcdir/pv-drivers/dom0/ping-back/ping-back.c" "$src/"
cp "$top_srcdir/include/proto/ping.h" "$src/proto/"
# ping-back.c includes the tree's config.h, which only defines what the out-of-tree
# build gets from -D_GNU_SOURCE.
: >"$src/config.h"
gcc_guest=${GUEST_CC:-cc}
# shellcheck disable=SC2086 # pkg-config output is a list of words
(cd "$src" && $gcc_guest -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Werror -I. $gcflags \
	-c ping-front.c && $gcc_guest -o ping-front ping-front.o $glibs) ||
	fail "ping-front does not build against the installed guest SDK ($gcflags / $glibs)"
readelf -n "$src/ping-front" | grep -q 'Xen.*0x00000012' ||
	fail "the out-of-tree ping-front has no PVH entry note"
[ "$(readelf -h "$src/ping-front" | awk '/Entry point/ { print $4 }')" = \
	"$(readelf -s "$src/ping-front" | awk '$8 == "pvh_start32" { print "0x" substr($2, match($2, /[1-9a-f]/)) }')" ] ||
	fail "the out-of-tree ping-front does not enter at pvh_start32"
# shellcheck disable=SC2086
(cd "$src" && $cc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror $san -I. \
	$(pkgconf --cflags shoji) $(pkg-config --cflags libevent) -o shoji-pingback ping-back.c \
	$(pkgconf --libs shoji) $(pkg-config --libs libevent)) ||
	fail "ping-back does not build against $D with pkg-config --libs shoji"
status=0
LD_LIBRARY_PATH="$libdir" "$src/shoji-pingback" --bogus 2>"$SHOJI_TMP/pb.err" || status=$?
[ "$status" -eq 2 ] && grep -q '^usage: shoji-pingback' "$SHOJI_TMP/pb.err" ||
	fail "the out-of-tree shoji-pingback does not run: $(cat "$SHOJI_TMP/pb.err")"
echo "PASS: both halves of the ping driver built out of tree with pkg-config alone"

# The installed demo example names the installed demo guest.
ex=$(find "$D" -path '*/examples/demo.xml')
[ -n "$ex" ] || fail "examples/demo.xml was not installed"
k=$(sed -n 's|.*<kernel>\(.*\)</kernel>.*|\1|p' "$ex")
[ -f "$D$k" ] || fail "the installed demo.xml names $k, which make install did not install"

# The systemd unit: where configure put it, starting the installed shojid, and clean for
# systemd-analyze verify (run on a copy naming the DESTDIR paths).
unit=$(find "$D" -name shojid.service)
[ -n "$unit" ] || fail "shojid.service was not installed"
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ -x "$D$exe" ] || fail "shojid.service starts $exe, which make install did not install"
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|^ExecStart=$exe|ExecStart=$D$exe|" "$unit" >"$SHOJI_TMP/shojid.service"
	systemd-analyze verify --man=no "$SHOJI_TMP/shojid.service" >"$SHOJI_TMP/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$SHOJI_TMP/verify")"
	[ ! -s "$SHOJI_TMP/verify" ] || fail "systemd-analyze verify: $(cat "$SHOJI_TMP/verify")"
	echo "PASS: $unit passes systemd-analyze verify"
else
	echo "NOTE: systemd-analyze not found: shojid.service checked for its ExecStart only"
fi

# With /dev/kvm: the out-of-tree halves talk to each other as the in-tree ones do
# (tests/system/demo-ping.sh), the backend on the installed libraries.
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"
con_start
LD_LIBRARY_PATH="$libdir" "$src/shoji-pingback" --xs-socket "$CON_XS_SOCK" \
	--hv-socket "$CON_HV_SOCK" --verbose 2>"$SHOJI_TMP/oot-pingback.err" &
track_pid $!
con_wait_file "$SHOJI_TMP/oot-pingback.err" "ready" 10
dom=$(cdom create oot-pinger "$src/ping-front" 32 "rounds=100" ping) || fail "cannot create the out-of-tree ping guest"
r=$(cdom wait "$dom" 60) || fail "the out-of-tree ping guest did not finish"
cdom dmesg "$dom" >"$SHOJI_TMP/oot.out" || fail "cannot read the guest's output"
[ "$r" = "reason=0" ] || fail "out-of-tree ping guest ended with $r: $(cat "$SHOJI_TMP/oot.out")"
grep -qx "ping-front: 100 pongs ok" "$SHOJI_TMP/oot.out" || fail "no pongs: $(cat "$SHOJI_TMP/oot.out")"
cdom destroy "$dom"
echo "PASS: the out-of-tree ping driver ran"
