#!/bin/sh
# shojid and shoji-netback together, without KVM (shojid on hvsim, domains
# created paused, so no frontend ever connects): shojid supervises the real
# shoji-netback (--netback-bin), and the vif layout it writes is what
# shoji-netback serves: a created domain's bridge interface becomes the TAP
# vifDOMID.0, a port of the bridge, within seconds; info shows the TAP's
# counters; network-attach adds a second TAP on the bridge; network-detach
# ends with the backend's Closed (not the timeout) and the TAP gone; a
# killed shoji-netback is started again and keeps the TAP; destroy removes
# the rest.  The test makes its own bridge (a unique name, removed at exit).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

NETBACK="$top_builddir/pv-drivers/dom0/netback/shoji-netback"
[ -x "$NETBACK" ] || fail "$NETBACK is not built"
command -v ip >/dev/null 2>&1 || { echo "SKIP: no ip(8) to make a test bridge"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun for shoji-netback's TAPs"; exit 77; }
BR="snb$$"
id=""
netback_cleanup() {
	ts_cleanup
	# shoji-netback's TAPs are persistent: a test that failed half-way leaves them.
	for t in ${id:+"vif$id.0" "vif$id.1"}; do
		[ -e "/sys/class/net/$t/tun_flags" ] && ip link del "$t" 2>/dev/null
	done
	ip link del "$BR" 2>/dev/null
}
trap netback_cleanup EXIT
ip link add "$BR" type bridge 2>"$SHOJI_TMP/err" || {
	echo "SKIP: cannot make a bridge: $(cat "$SHOJI_TMP/err")"
	exit 77
}

ts_start_sim --netback-bin "$NETBACK"

# wait_for COND-COMMAND...: up to 10 s for the command to succeed.
wait_for() {
	tries=100
	until "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}
on_bridge() { [ -e "/sys/class/net/$BR/brif/$1" ]; }
no_link() { [ ! -e "/sys/class/net/$1" ]; }

cat >"$SHOJI_TMP/nb.xml" <<XMLEOF
<domain type='xen'>
  <name>nb</name>
  <memory unit='MiB'>16</memory>
  <os><type>xenpvh</type><kernel>$GUESTS/idle</kernel></os>
  <devices>
    <interface type='bridge'><source bridge='$BR'/><model type='netfront'/></interface>
  </devices>
</domain>
XMLEOF
shoji create -p "$SHOJI_TMP/nb.xml" >/dev/null 2>"$SHOJI_TMP/err" || fail "create nb: $(cat "$SHOJI_TMP/err")"
id=$(ts_id nb)
[ -n "$id" ] || fail "nb does not run"
wait_for on_bridge "vif$id.0" ||
	fail "no TAP vif$id.0 on $BR: $(ls /sys/class/net/$BR/brif 2>&1); backend: $(xs ls /local/domain/0/backend/vif/$id 2>&1); $(cat "$TS_STATE/shoji-netback.log" 2>/dev/null | tail -5)"
[ -e "/sys/class/net/vif$id.0/tun_flags" ] || fail "vif$id.0 is not a TAP"
# The backend took the device (InitWait: waiting for the frontend).
wait_for test "$(xs read /local/domain/0/backend/vif/$id/0/state)" = 2 ||
	fail "backend state $(xs read /local/domain/0/backend/vif/$id/0/state), expected 2 (InitWait)"
shoji info --json nb >"$SHOJI_TMP/out" || fail "info --json nb"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["interfaces"]
assert len(d) == 1 and d[0]["vifname"] == "vif%s.0" % sys.argv[2], d
assert all(isinstance(d[0][k], int) for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes")), d
assert d[0]["backend_state"] == 2, d' "$SHOJI_TMP/out" "$id" || fail "info --json nb: $(cat "$SHOJI_TMP/out")"

# kill -9 of shoji-netback: shojid starts it again (within its 2 s check) and the new one
# adopts the vif: its TAP stays on the bridge.
old=$(cat "$TS_STATE/shoji-netback.pid")
kill -9 "$old"
restarted() { p=$(cat "$TS_STATE/shoji-netback.pid" 2>/dev/null) && [ "$p" != "$old" ] && kill -0 "$p" 2>/dev/null; }
wait_for restarted || fail "shojid did not start shoji-netback again after kill -9"
on_bridge "vif$id.0" || fail "vif$id.0 left the bridge across the backend's restart"
sleep 1
on_bridge "vif$id.0" || fail "vif$id.0 left the bridge after the backend's restart"

# Hot-attach a second interface on the bridge, then detach it: the backend closes it.
shoji network-attach nb --bridge "$BR" >/dev/null 2>"$SHOJI_TMP/err" || fail "network-attach: $(cat "$SHOJI_TMP/err")"
wait_for on_bridge "vif$id.1" || fail "no TAP vif$id.1 on $BR after network-attach"
shoji network-detach nb 1 --timeout 10 >"$SHOJI_TMP/out" 2>&1 || fail "network-detach: $(cat "$SHOJI_TMP/out")"
wait_for no_link "vif$id.1" || fail "vif$id.1 is still there after network-detach"
xs exists "/local/domain/0/backend/vif/$id/1" 2>/dev/null && fail "vif 1 is still in xenstore"
on_bridge "vif$id.0" || fail "detaching vif 1 took vif$id.0 off the bridge"

# Supervised, not restarted needlessly: shojid started it twice (at start, after the kill -9;
# it checks every 2 s by pidfile and process name).
[ "$(grep -c "started shoji-netback" "$SHOJI_TMP/shojid.log")" -eq 2 ] ||
	fail "shoji-netback was started $(grep -c "started shoji-netback" "$SHOJI_TMP/shojid.log") times"

# Destroy: the backend lets the last TAP go with the device's directory.
shoji destroy nb >/dev/null || fail "destroy nb"
wait_for no_link "vif$id.0" || fail "vif$id.0 is still there after destroy"
echo "toolstack-netback: all checks passed"
