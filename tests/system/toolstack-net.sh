#!/bin/sh
# PV network interfaces under shojid, without KVM (shojid on hvsim, domains
# created paused): <interface> in the domain XML becomes the vif layout in
# xenstore (the contract with shoji-netback), network-list and info show it,
# network-attach and network-detach change a running domain, destroy removes
# everything; a missing bridge or a MAC already in use is refused with one
# line and a non-zero exit, leaving no xenstore node; a defined domain's
# generated MAC is kept across shutdown and start, and dumpxml shows it.
# The test makes its own bridge (a unique name, removed at exit).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

command -v ip >/dev/null 2>&1 || { echo "SKIP: no ip(8) to make a test bridge"; exit 77; }
BR="stn$$"
BR2="stn$$b"
NOBR="stn$$x" # never created
net_cleanup() {
	ip link del "$BR" 2>/dev/null
	ip link del "$BR2" 2>/dev/null
	ts_cleanup
}
trap net_cleanup EXIT
ip link add "$BR" type bridge 2>"$SHOJI_TMP/err" || {
	echo "SKIP: cannot make a bridge: $(cat "$SHOJI_TMP/err")"
	exit 77
}
ip link add "$BR2" type bridge || fail "ip link add $BR2"

ts_start_sim

# nic_xml NAME INTERFACE-ELEMENTS...: NAME.xml for the idle guest with those <interface>s.
nic_xml() {
	n=$1
	shift
	{
		printf "<domain type='xen'>\n  <name>%s</name>\n  <memory unit='MiB'>16</memory>\n" "$n"
		printf "  <os><type>xenpvh</type><kernel>%s</kernel></os>\n  <devices>\n" "$GUESTS/idle"
		for d in "$@"; do printf '    %s\n' "$d"; done
		printf "  </devices>\n</domain>\n"
	} >"$SHOJI_TMP/$n.xml"
	echo "$SHOJI_TMP/$n.xml"
}
check() { # check PATH VALUE
	v=$(xs read "$1") || fail "xenstore: no $1"
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}
gone() { # gone PATH: the node does not exist
	if xs exists "$1" 2>/dev/null; then fail "$1 is still in xenstore: $(xs ls "$1")"; fi
}
one_line_fail() { # one_line_fail WHAT PATTERN CMD...: CMD fails with one line matching PATTERN
	what=$1 pat=$2
	shift 2
	if "$@" >"$SHOJI_TMP/out" 2>&1; then fail "$what was accepted"; fi
	[ "$(wc -l <"$SHOJI_TMP/out")" -eq 1 ] || fail "$what: not one line: $(cat "$SHOJI_TMP/out")"
	grep -q "$pat" "$SHOJI_TMP/out" || fail "$what said: $(cat "$SHOJI_TMP/out")"
}

# --- create with two interfaces: the layout of the contract.
x=$(nic_xml n1 "<interface type='bridge'><mac address='00:16:3e:11:22:33'/><source bridge='$BR'/><model type='netfront'/></interface>" \
	"<interface type='ethernet'><mac address='00:16:3e:11:22:34'/><target dev='tap$$'/></interface>")
shoji create -p "$x" >/dev/null 2>"$SHOJI_TMP/err" || fail "create n1: $(cat "$SHOJI_TMP/err")"
id1=$(ts_id n1)
[ -n "$id1" ] || fail "n1 does not run"
be="/local/domain/0/backend/vif/$id1"
fe="/local/domain/$id1/device/vif"
check "$be/0/frontend" "$fe/0"
check "$be/0/frontend-id" "$id1"
check "$be/0/online" 1
check "$be/0/state" 1
check "$be/0/handle" 0
check "$be/0/mac" 00:16:3e:11:22:33
check "$be/0/bridge" "$BR"
check "$be/0/vifname" "vif$id1.0"
check "$be/0/type" vif
check "$fe/0/backend" "$be/0"
check "$fe/0/backend-id" 0
check "$fe/0/state" 1
check "$fe/0/handle" 0
check "$fe/0/mac" 00:16:3e:11:22:33
check "$be/1/bridge" ""
check "$be/1/vifname" "tap$$"
check "$be/1/handle" 1
check "$fe/1/mac" 00:16:3e:11:22:34

# --- network-list: one line per interface; --json; info (no TAP tap$$ here: its counters
# "-"/null; vifID.0 may exist, made by another test's shoji-netback in a parallel run).
shoji network-list n1 >"$SHOJI_TMP/out" || fail "network-list n1"
head -1 "$SHOJI_TMP/out" | grep -q '^Idx  *BE  *Mac Addr\.  *handle  *state  *BE-state  *bridge  *vifname  *BE-path$' ||
	fail "network-list header: $(head -1 "$SHOJI_TMP/out")"
[ "$(tail -n +2 "$SHOJI_TMP/out" | wc -l)" = 2 ] || fail "network-list: $(cat "$SHOJI_TMP/out")"
grep -q "^0  *0  *00:16:3e:11:22:33  *0  *1  *1  *$BR  *vif$id1.0  *$be/0\$" "$SHOJI_TMP/out" ||
	fail "network-list vif 0: $(cat "$SHOJI_TMP/out")"
grep -q "^1  *0  *00:16:3e:11:22:34  *1  *1  *1  *-  *tap$$  *$be/1\$" "$SHOJI_TMP/out" ||
	fail "network-list vif 1: $(cat "$SHOJI_TMP/out")"
shoji network-list --json n1 >"$SHOJI_TMP/out" || fail "network-list --json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [x["devid"] for x in d] == [0, 1], d
assert [x["mac"] for x in d] == ["00:16:3e:11:22:33", "00:16:3e:11:22:34"], d
assert d[0]["bridge"] == sys.argv[2] and d[1]["bridge"] is None, d
assert d[0]["vifname"] == "vif%s.0" % sys.argv[3] and d[1]["type"] == "ethernet", d
assert d[0]["backend_state"] == 1 and d[1]["rx_packets"] is None, d' "$SHOJI_TMP/out" "$BR" "$id1" ||
	fail "network-list --json: $(cat "$SHOJI_TMP/out")"
shoji info n1 >"$SHOJI_TMP/out" || fail "info n1"
grep -q "^  0 00:16:3e:11:22:33 tap vif$id1.0 bridge $BR initialising rx " "$SHOJI_TMP/out" &&
	grep -q "^  1 00:16:3e:11:22:34 tap tap$$ bridge - initialising rx - pkts - bytes, tx - pkts - bytes\$" "$SHOJI_TMP/out" ||
	fail "info n1: $(cat "$SHOJI_TMP/out")"
shoji info --json n1 >"$SHOJI_TMP/out" || fail "info --json n1"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["interfaces"]) == 2 and d["interfaces"][1]["vifname"] == "tap" + sys.argv[2], d
assert d["interfaces"][1]["tx_bytes"] is None, d' "$SHOJI_TMP/out" "$$" || fail "info --json: $(cat "$SHOJI_TMP/out")"

# --- counters: an interface of the TAP's name exists -> info shows its numbers.
ip tuntap add dev "tap$$" mode tap 2>/dev/null && {
	shoji info --json n1 >"$SHOJI_TMP/out" || fail "info --json n1 (tap)"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["interfaces"][1]
assert all(isinstance(d[k], int) for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes")), d' \
		"$SHOJI_TMP/out" || fail "info --json with a TAP: $(cat "$SHOJI_TMP/out")"
	ip link del "tap$$"
}

# --- refusals: one line, non-zero, nothing left behind.
x=$(nic_xml nobr "<interface type='bridge'><source bridge='$NOBR'/></interface>")
one_line_fail "create with a missing bridge" "bridge '$NOBR' does not exist" shoji create -p "$x"
[ -z "$(ts_id nobr)" ] || fail "nobr runs"
[ "$(xs list /local/domain/0/backend/vif)" = "$id1" ] ||
	fail "a refused create left vif nodes: $(xs ls /local/domain/0/backend/vif)"
x=$(nic_xml dupmac "<interface type='ethernet'><mac address='00:16:3e:11:22:34'/></interface>")
one_line_fail "create with n1's MAC" "MAC address 00:16:3e:11:22:34 is already used by domain 'n1'" shoji create -p "$x"
[ -z "$(ts_id dupmac)" ] || fail "dupmac runs"
x=$(nic_xml dupname "<interface type='ethernet'><target dev='tap$$'/></interface>")
one_line_fail "create with n1's TAP name" "interface name 'tap$$' is already used by domain 'n1'" shoji create -p "$x"
x=$(nic_xml dupin "<interface type='ethernet'><mac address='00:16:3e:00:00:09'/></interface>" \
	"<interface type='ethernet'><mac address='00:16:3e:00:00:09'/></interface>")
one_line_fail "two interfaces with one MAC" "dupin.xml:[0-9]*: <mac> address '00:16:3e:00:00:09' is already used at line" shoji create -p "$x"
[ "$(xs list "$be" | tr '\n' ' ')" = "0 1 " ] || fail "n1's vifs changed: $(xs list "$be")"

# --- network-attach: bridge, generated MAC, next devid; refusals leave nothing.
shoji network-attach n1 --bridge "$BR2" >"$SHOJI_TMP/out" 2>&1 || fail "network-attach: $(cat "$SHOJI_TMP/out")"
grep -q "^Interface 2 (00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f], vif$id1.2 on $BR2) attached to 'n1'\$" "$SHOJI_TMP/out" ||
	fail "network-attach said: $(cat "$SHOJI_TMP/out")"
check "$be/2/bridge" "$BR2"
check "$be/2/vifname" "vif$id1.2"
check "$fe/2/handle" 2
shoji network-attach n1 --mac 00:16:3e:aa:bb:cc --vifname "tq$$" >/dev/null 2>&1 || fail "network-attach (ethernet)"
check "$be/3/bridge" ""
check "$be/3/mac" 00:16:3e:aa:bb:cc
check "$be/3/vifname" "tq$$"
one_line_fail "attach to a missing bridge" "bridge '$NOBR' does not exist" shoji network-attach n1 --bridge "$NOBR"
one_line_fail "attach with a MAC n1 has" "domain 'n1' has MAC address 00:16:3e:aa:bb:cc already" \
	shoji network-attach n1 --mac 00:16:3e:aa:bb:cc
# A bad --mac is a usage error (exit 2), caught by the CLI before shojid hears of it.
st=0
shoji network-attach n1 --mac 01:16:3e:aa:bb:cc >"$SHOJI_TMP/out" 2>&1 || st=$?
[ "$st" -eq 2 ] && head -1 "$SHOJI_TMP/out" | grep -q "unicast MAC address" ||
	fail "attach with a multicast MAC: exit $st: $(cat "$SHOJI_TMP/out")"
[ "$(xs list "$be" | tr '\n' ' ')" = "0 1 2 3 " ] || fail "refused attaches changed the vifs: $(xs list "$be")"
gone "$fe/4"
# The attached interfaces are in the running record: dumpxml shows them.
shoji dumpxml n1 | grep -q "<mac address=\"00:16:3e:aa:bb:cc\"/>" || fail "dumpxml lacks the attached MAC"

# --- network-detach: no backend here (--no-spawn), so the wait ends in the timeout (exit 5),
# and the entries go anyway; --force at once.
shoji network-detach n1 2 --timeout 1 >"$SHOJI_TMP/out" 2>&1 && fail "detach without a backend succeeded"
grep -q "did not close vif 2 within 1 s" "$SHOJI_TMP/out" || fail "detach said: $(cat "$SHOJI_TMP/out")"
gone "$be/2"
gone "$fe/2"
shoji network-detach --force n1 3 >/dev/null || fail "network-detach --force"
gone "$be/3"
gone "$fe/3"
shoji dumpxml n1 | grep -q "00:16:3e:aa:bb:cc" && fail "dumpxml still has the detached interface"
one_line_fail "detach of a vif that is not there" "domain 'n1' has no vif 7" shoji network-detach n1 7
# A backend that closes: play shoji-netback by writing Closed.  (The next devid is one
# past the highest in use: 2 again.)
shoji network-attach n1 --mac 00:16:3e:aa:bb:cd >/dev/null 2>&1 || fail "network-attach (again)"
check "$be/2/mac" 00:16:3e:aa:bb:cd
( sleep 0.5; xs write "$be/2/state" 6 ) &
shoji network-detach n1 2 --timeout 10 >"$SHOJI_TMP/out" 2>&1 || fail "detach with Closed: $(cat "$SHOJI_TMP/out")"
wait $!
gone "$be/2"

# --- destroy removes every vif node.
shoji destroy n1 >/dev/null || fail "destroy n1"
gone "$be"
gone "$fe"

# --- a defined domain's generated MAC: stored in its definition, the same after a restart.
x=$(nic_xml keep "<interface type='bridge'><source bridge='$BR'/></interface>")
shoji define "$x" >/dev/null || fail "define keep"
mac=$(shoji dumpxml keep | sed -n 's/.*<mac address="\([^"]*\)".*/\1/p')
echo "$mac" | grep -q '^00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]$' || fail "dumpxml keep: no generated MAC: $(shoji dumpxml keep)"
shoji start -p keep >/dev/null || fail "start keep"
id=$(ts_id keep)
check "/local/domain/0/backend/vif/$id/0/mac" "$mac"
shoji destroy keep >/dev/null || fail "destroy keep"
shoji start -p keep >/dev/null || fail "start keep again"
id2=$(ts_id keep)
[ "$id2" != "$id" ] || fail "keep has the same id"
check "/local/domain/0/backend/vif/$id2/0/mac" "$mac"
shoji dumpxml keep | grep -q "<mac address=\"$mac\"/>" || fail "dumpxml of the running keep"
shoji destroy keep >/dev/null || fail "destroy keep (2)"
# A bridge that went away refuses the start, leaving nothing.
ip link del "$BR"
one_line_fail "start with its bridge gone" "bridge '$BR' does not exist" shoji start -p keep
[ -z "$(ts_id keep)" ] || fail "keep runs without its bridge"
[ -z "$(xs list /local/domain/0/backend/vif 2>/dev/null)" ] || fail "vif nodes left: $(xs ls /local/domain/0/backend/vif)"
shoji undefine keep >/dev/null || fail "undefine keep"
echo "toolstack-net: all checks passed"
