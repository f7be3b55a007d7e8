#!/bin/sh
# PV disks under shojid: <disk> in the domain XML becomes the vbd layout in
# xenstore (backend and frontend directories, as shoji-blkback expects
# them), block-list and info show it, block-attach and block-detach change a
# running domain, destroy removes everything; and every refused attach or
# create (a missing or wrong source, a target in use, read-write sharing, a
# domain that does not run) exits non-zero with one line and leaves no
# xenstore node and no change to the running record.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"

# ts_start runs shoji-blkback when it is built; else detach can only time out (checked too).
BLKBACK="$top_builddir/pv-drivers/dom0/blkback/shoji-blkback"
[ -x "$BLKBACK" ] || BLKBACK=""
ts_start

# disk_xml NAME DISK-ELEMENTS...: NAME.xml for the idle guest with those <disk>s.
disk_xml() {
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
file_disk() { # file_disk PATH TARGET [ro]
	echo "<disk type='file'><source file='$1'/><target dev='$2' bus='xen'/>${3:+<readonly/>}</disk>"
}

IMG="$SHOJI_TMP/img"
mkdir -p "$IMG"
for f in a b c d; do truncate -s 8M "$IMG/$f.img" || fail "truncate"; done
ln "$IMG/a.img" "$IMG/a-link.img" || fail "ln"

# --- create with two disks: the layout of the contract.
x=$(disk_xml d1 "$(file_disk "$IMG/a.img" xvda)" "$(file_disk "$IMG/b.img" xvdb ro)")
shoji create -p "$x" >/dev/null 2>"$SHOJI_TMP/err" || fail "create d1: $(cat "$SHOJI_TMP/err")"
id1=$(ts_id d1)
[ -n "$id1" ] || fail "d1 does not run"
be="/local/domain/0/backend/vbd/$id1"
fe="/local/domain/$id1/device/vbd"
check() { # check PATH VALUE
	v=$(xs read "$1") || fail "xenstore: no $1"
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}
check "$be/51712/frontend" "$fe/51712"
check "$be/51712/frontend-id" "$id1"
check "$be/51712/online" 1
check "$be/51712/params" "$IMG/a.img"
check "$be/51712/type" file
check "$be/51712/mode" w
check "$be/51712/device-type" disk
check "$be/51712/dev" xvda
check "$be/51712/removable" 0
check "$be/51712/bootable" 1
check "$be/51728/mode" r
check "$be/51728/bootable" 0
check "$fe/51712/backend" "$be/51712"
check "$fe/51712/backend-id" 0
check "$fe/51712/virtual-device" 51712
check "$fe/51728/device-type" disk

# --- block-list: xl's columns, one line per disk; --json; info.
shoji block-list d1 >"$SHOJI_TMP/out" || fail "block-list d1"
head -1 "$SHOJI_TMP/out" | grep -q '^Vdev  *BE  *handle  *state  *evt-ch  *ring-ref  *BE-path$' ||
	fail "block-list header: $(head -1 "$SHOJI_TMP/out")"
[ "$(tail -n +2 "$SHOJI_TMP/out" | wc -l)" = 2 ] || fail "block-list: $(cat "$SHOJI_TMP/out")"
grep -q "^51712  *0  *51712 .* $be/51712\$" "$SHOJI_TMP/out" || fail "block-list xvda: $(cat "$SHOJI_TMP/out")"
shoji block-list --json d1 >"$SHOJI_TMP/out" || fail "block-list --json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [x["target"] for x in d] == ["xvda", "xvdb"], d
assert [x["mode"] for x in d] == ["w", "r"] and d[0]["source"] == sys.argv[2], d
assert d[0]["vdev"] == 51712 and d[0]["backend_path"].endswith("/51712"), d' "$SHOJI_TMP/out" "$IMG/a.img" ||
	fail "block-list --json: $(cat "$SHOJI_TMP/out")"
shoji info d1 >"$SHOJI_TMP/out" || fail "info d1"
grep -q "^  xvda  *file w disk .* $IMG/a.img\$" "$SHOJI_TMP/out" || fail "info: $(cat "$SHOJI_TMP/out")"
grep -q "^  xvdb  *file r disk .* $IMG/b.img\$" "$SHOJI_TMP/out" || fail "info: $(cat "$SHOJI_TMP/out")"

# --- hot attach: the nodes, block-list, dumpxml and the record.
shoji block-attach d1 "$IMG/c.img" xvdc --mode r >/dev/null 2>"$SHOJI_TMP/err" ||
	fail "block-attach: $(cat "$SHOJI_TMP/err")"
check "$be/51744/params" "$IMG/c.img"
check "$be/51744/mode" r
check "$be/51744/bootable" 0
check "$fe/51744/virtual-device" 51744
shoji dumpxml d1 | grep -q "<source file=\"$IMG/c.img\"/>" || fail "dumpxml lacks the attached disk"
grep -q "$IMG/c.img" "$TS_STATE/run/$id1.rec" || fail "the record lacks the attached disk"
# A cdrom, by relative path, is read-only and removable.
(cd "$IMG" && shoji block-attach --cdrom d1 d.img xvdq) >/dev/null || fail "attach cdrom"
check "$be/268439552/device-type" cdrom
check "$be/268439552/mode" r
check "$be/268439552/removable" 1
check "$be/268439552/params" "$IMG/d.img"

# --- refused: one line, exit 1 (3 for no domain), nothing left behind.
snapshot() {
	{ xs ls /local/domain/0/backend; xs ls "/local/domain/$id1/device"; cat "$TS_STATE/run/$id1.rec"; } \
		>"$SHOJI_TMP/snap.$1" 2>&1
}
refused() { # refused STATUS PATTERN ARGS...
	st=$1 pat=$2
	shift 2
	snapshot before
	rc=0
	shoji "$@" >/dev/null 2>"$SHOJI_TMP/err" || rc=$?
	[ "$rc" = "$st" ] || fail "shoji $*: exit $rc, expected $st ($(cat "$SHOJI_TMP/err"))"
	[ "$(wc -l <"$SHOJI_TMP/err")" = 1 ] || fail "shoji $*: not one line: $(cat "$SHOJI_TMP/err")"
	grep -q "$pat" "$SHOJI_TMP/err" || fail "shoji $*: expected '$pat', got: $(cat "$SHOJI_TMP/err")"
	snapshot after
	cmp -s "$SHOJI_TMP/snap.before" "$SHOJI_TMP/snap.after" || fail "shoji $*: something changed"
}
refused 1 "disk source '$IMG/none.img': No such file or directory" block-attach d1 "$IMG/none.img" xvdd
refused 1 "disk source '$IMG' is not a regular file" block-attach d1 "$IMG" xvdd
refused 1 "disk source '$IMG/a.img' is not a block device" block-attach d1 "$IMG/a.img" xvdd --type phy
refused 1 "domain 'd1' already has a disk xvda" block-attach d1 "$IMG/d.img" xvda
refused 1 "already attached read-write to this domain as xvda" block-attach d1 "$IMG/a-link.img" xvdd --mode r
refused 1 "already attached read-only to this domain as xvdb" block-attach d1 "$IMG/b.img" xvdd
refused 1 "domain 'd1' has no disk xvdz" block-detach d1 xvdz
refused 3 "no domain named 'nosuch'" block-attach nosuch "$IMG/d.img" xvdd
refused 3 "no domain named 'nosuch'" block-list nosuch
x=$(disk_xml d3 "$(file_disk "$IMG/d.img" xvda)")
shoji define "$x" >/dev/null || fail "define d3"
refused 1 "domain 'd3' is not running" block-attach d3 "$IMG/d.img" xvdb
refused 1 "domain 'd3' is not running" block-list d3
shoji info d3 | grep -q "^  xvda  *file w disk .* $IMG/d.img\$" || fail "info of a defined domain: $(shoji info d3)"
shoji undefine d3 >/dev/null || fail "undefine d3"

# A second domain: read-write sharing refused at create (nothing built), read-only shared.
x=$(disk_xml d2 "$(file_disk "$IMG/a-link.img" xvda ro)")
shoji create -p "$x" >/dev/null 2>"$SHOJI_TMP/err"; [ $? = 1 ] || fail "d2 created on d1's read-write disk"
grep -q "^shoji: $x: disk source '$IMG/a-link.img' is already attached read-write to domain 'd1' as xvda\$" \
	"$SHOJI_TMP/err" || fail "d2: $(cat "$SHOJI_TMP/err")"
[ -z "$(ts_id d2)" ] || fail "d2 runs"
[ "$(ls "$TS_STATE/run" | wc -l)" = 1 ] || fail "a record was left: $(ls "$TS_STATE/run")"
x=$(disk_xml d2 "$(file_disk "$IMG/b.img" xvda ro)")
shoji create -p "$x" >/dev/null 2>"$SHOJI_TMP/err" || fail "read-only sharing refused: $(cat "$SHOJI_TMP/err")"
id2=$(ts_id d2)
check "/local/domain/0/backend/vbd/$id2/51712/params" "$IMG/b.img"
refused 1 "already attached read-only to domain 'd1' as xvdb" block-attach d2 "$IMG/b.img" xvdb --mode w

# --- detach: by the backend's Closed, by timeout, at once with --force.
if [ -n "$BLKBACK" ]; then
	shoji block-detach d1 xvdc >/dev/null 2>"$SHOJI_TMP/err" || fail "block-detach: $(cat "$SHOJI_TMP/err")"
else
	echo "NOTE: shoji-blkback is not built: block-detach can only time out"
	rc=0
	shoji block-detach --timeout 1 d1 xvdc >/dev/null 2>"$SHOJI_TMP/err" || rc=$?
	[ $rc = 5 ] || fail "block-detach without a backend: exit $rc"
	grep -q "the backend did not close xvdc within 1 s (state 5); its xenstore entries were removed anyway" \
		"$SHOJI_TMP/err" || fail "timeout: $(cat "$SHOJI_TMP/err")"
fi
xs exists "$be/51744" 2>/dev/null && fail "backend of xvdc left"
xs exists "$fe/51744" 2>/dev/null && fail "frontend of xvdc left"
grep -q "$IMG/c.img" "$TS_STATE/run/$id1.rec" && fail "the record still has xvdc"
shoji block-detach d1 xvdb --force >/dev/null || fail "block-detach --force"
xs exists "$be/51728" 2>/dev/null && fail "backend of xvdb left"
[ "$(shoji block-list d1 | tail -n +2 | wc -l)" = 2 ] || fail "block-list after detach: $(shoji block-list d1)"
# Now b.img is d2's alone (read-only): d2 may not have it read-write, d1 may have it read-only.
shoji block-attach d1 "$IMG/b.img" xvdb --mode r >/dev/null || fail "re-attach b read-only"

# --- shojid restarts: the attached disk is still the domain's.
stop_pids "$SHOJID_PID"
ts_start
shoji block-list d1 | grep -q "^268439552 " || fail "the cdrom was lost over a shojid restart"

# --- destroy removes every directory of the domain.
shoji destroy d1 >/dev/null || fail "destroy d1"
xs exists "$be" 2>/dev/null && fail "backend directories of d1 left: $(xs ls "$be")"
xs exists "/local/domain/$id1" 2>/dev/null && fail "/local/domain/$id1 left"
shoji destroy d2 >/dev/null || fail "destroy d2"
xs exists "/local/domain/0/backend/vbd/$id2" 2>/dev/null && fail "backend directories of d2 left"
echo "toolstack-disk: all checks passed"
