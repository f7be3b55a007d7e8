#!/bin/sh
# Debian's xenstore-utils (libxenstore 4.17) against shoji-xenstored: the
# library takes the socket from XENSTORED_PATH.  The expected results are
# written into this script by hand from what Xen's protocol documentation
# (docs/misc/xenstore.txt: children in creation order, permissions as
# "(r0,w3)"/"(n0)", a watch fires once when set and then once per change,
# relative paths under /local/domain/<domid>) specifies for these commands;
# they were not recorded from a run of Xen's own xenstored, and no Xen daemon
# runs here.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

for t in xenstore-read xenstore-write xenstore-ls xenstore-rm xenstore-chmod xenstore-watch \
	xenstore-exists xenstore-list; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "SKIP: $t not installed (Debian package xenstore-utils; scripts/deps installs it)"
		exit 77
	}
done
xs_start
XENSTORED_PATH="$XS_SOCK"
export XENSTORED_PATH

xenstore-write /conf/a 1 /conf/b two || fail "xenstore-write"
[ "$(xenstore-read /conf/a)" = 1 ] || fail "xenstore-read"
[ "$(xenstore-read /conf/b)" = two ] || fail "xenstore-read two"
[ "$(xenstore-list /conf | tr '\n' ' ')" = "a b " ] || fail "xenstore-list"
xenstore-exists /conf/a || fail "xenstore-exists"
if xenstore-exists /conf/zz 2>/dev/null; then fail "xenstore-exists of a missing node"; fi
xenstore-read /conf/zz 2>/dev/null && fail "xenstore-read of a missing node"
xenstore-chmod /conf/a r0 w3 || fail "xenstore-chmod"
xenstore-ls -p /conf >"$SHOJI_TMP/ls" || fail "xenstore-ls"
grep -q '^a = "1" .*(r0,w3)' "$SHOJI_TMP/ls" || { cat "$SHOJI_TMP/ls"; fail "xenstore-ls -p perms"; }
grep -q '^b = "two" .*(n0)' "$SHOJI_TMP/ls" || { cat "$SHOJI_TMP/ls"; fail "xenstore-ls -p"; }
# our CLI sees what libxenstore wrote, and the other way round
[ "$(xs read /conf/b)" = two ] || fail "shoji-xenstore reads libxenstore's write"
xs write /conf/c from-shoji
[ "$(xenstore-read /conf/c)" = from-shoji ] || fail "libxenstore reads our write"
# watch: the initial event, then the changes
xenstore-watch -n 3 /conf >"$SHOJI_TMP/watch" &
wpid=$!
wait_nonempty "$SHOJI_TMP/watch"
xenstore-write /conf/d 4
xenstore-rm /conf/a
wait "$wpid" || fail "xenstore-watch"
printf '/conf\n/conf/d\n/conf/a\n' | cmp -s - "$SHOJI_TMP/watch" || {
	cat "$SHOJI_TMP/watch"; fail "xenstore-watch events"; }
xenstore-rm /conf || fail "xenstore-rm"
xenstore-exists /conf 2>/dev/null && fail "xenstore-rm left the node"
# relative paths resolve under /local/domain/0
xenstore-write rel/key v || fail "relative write"
[ "$(xs read /local/domain/0/rel/key)" = v ] || fail "relative path"
echo "xs-utils: ok"
