#!/bin/sh
# shoji save and shoji restore (issue 17 item 2) on hvsim, without KVM: the test plays the
# guest (its memory through hvsim-serve's poke/expect).  A domain saved and restored has its
# name, uuid, memory size, vCPUs, guest memory, xenstore nodes and their permissions; --keep
# leaves it as it was; the file appears only when the save succeeded, created with the
# caller's own rights; corrupt, truncated and other-version streams, a name or uuid in use
# are refused with one line and build nothing.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

chmod 711 "$SHOJI_TMP" # nobody reaches the socket (shojid --group nogroup)
ts_start_sim --group nogroup
D="$SHOJI_TMP/saves"
mkdir -m 700 "$D" || fail "mkdir"

# The relative path, value and permissions (the domain's own id written SELF) of every node
# below $1 (the domain's id $2).
snapshot() {
	local base=$1 id=$2
	walk() {
		local p=$1 c
		printf '%s=%s [%s]\n' "${p#"$base"}" "$(xs read "$p")" \
			"$(xs perms "$p" | sed "s/\([nrwb]\)$id\b/\1SELF/g")"
		for c in $(xs list "$p"); do walk "$p/$c"; done
	}
	walk "$base" | sed "s|/local/domain/$id\b|HOME|g"
}
# The number of domains, xenstore homes and running records: unchanged by a refusal.
built() { echo "$(shoji list | wc -l) $(xs list /local/domain | wc -l) $(ls "$TS_STATE/run" | wc -l)"; }
# refused WHAT FILE PATTERN: restore FILE fails with one line matching PATTERN, builds nothing.
refused() {
	local before rc
	before=$(built)
	shoji restore "$2" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err"; rc=$?
	[ $rc = 1 ] || fail "$1: exit $rc: $(cat "$SHOJI_TMP/out" "$SHOJI_TMP/err")"
	[ "$(wc -l <"$SHOJI_TMP/err")" = 1 ] || fail "$1: not one line: $(cat "$SHOJI_TMP/err")"
	grep -q "$3" "$SHOJI_TMP/err" || fail "$1: message: $(cat "$SHOJI_TMP/err")"
	[ "$(built)" = "$before" ] || fail "$1: left something: $before -> $(built); $(shoji list)"
}
# xsctl watch ID PATH TOKEN | xsctl watches ID: xenstored's CONTROL, the list one "PATH TOKEN"
# a line, all pages.
cat >"$SHOJI_TMP/xsctl.py" <<'PY_EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
def ctl(*a):
    p = b''.join(x.encode() + b'\0' for x in a)
    s.sendall(struct.pack('<IIII', 0, 1, 0, len(p)) + p)
    while True:
        h = s.recv(16, socket.MSG_WAITALL)
        t, _, _, l = struct.unpack('<IIII', h)
        b = s.recv(l, socket.MSG_WAITALL) if l else b''
        if t != 15:
            return t, b
if sys.argv[2] == 'watch':
    t, b = ctl(*sys.argv[2:])
    sys.exit(0 if t == 0 else print(b.decode().rstrip('\0')) or 1)
n = 0
while True:
    t, b = ctl('watches', sys.argv[3], str(n))
    if t != 0:
        print(b.decode().rstrip('\0'))
        sys.exit(1)
    if b in (b'', b'\0'):
        break
    f = b.split(b'\0')[:-1]
    for i in range(0, len(f), 2):
        print(f[i].decode(), f[i + 1].decode())
    n += len(f) // 2
PY_EOF
xsctl() { /usr/bin/python3 "$SHOJI_TMP/xsctl.py" "$TS_XS_SOCK" "$@"; }
info_of() { shoji info --json "$1" | sed 's/"cpu_time_s": [0-9.]*, //; s/"start_time": [^,]*, "uptime_s": [^,}]*//'; }

shoji create -p "$(ts_xml sv "$GUESTS/idle" "" preserve)" >/dev/null || fail "create sv"
id=$(ts_id sv)
[ -n "$id" ] || fail "no id"

# ---- a file that is not a save stream, of another version, cut short ----
printf 'hello, world, this is no stream\n' >"$D/text"
refused "text" "$D/text" "not a Shoji save stream"
printf 'SHOJIMIG\143\000\000\000\000\000\000\000' >"$D/v99"
refused "version 99" "$D/v99" "stream format version 99, this Shoji reads version 1 only"
head -c 16 "$D/v99" | sed 's/c/\x01/' >"$D/short" # a version 1 header, then nothing
refused "header only" "$D/short" "truncated stream"
shoji restore "$D/nosuch" 2>"$SHOJI_TMP/err"; [ $? = 1 ] || fail "restore of a missing file"
grep -q "cannot open $D/nosuch: No such file" "$SHOJI_TMP/err" || fail "missing: $(cat "$SHOJI_TMP/err")"

# ---- a failed save leaves FILE and the domain as they were, and no temporary file ----
echo "the old file" >"$D/old.save"
sim_guest shutdown "$id" 0 # on_poweroff preserve: shut down, still there
shoji save sv "$D/old.save" >"$SHOJI_TMP/out" 2>&1 && fail "saved a shut down domain"
grep -q "is shutdown: there is nothing to save" "$SHOJI_TMP/out" || fail "message: $(cat "$SHOJI_TMP/out")"
[ "$(cat "$D/old.save")" = "the old file" ] || fail "old.save changed"
[ "$(ls -A "$D" | tr '\n' ' ')" = "old.save short text v99 " ] || fail "left in $D: $(ls -A "$D")"
[ "$(ts_id sv)" = "$id" ] || fail "sv went: $(shoji list)"
shoji destroy sv >/dev/null || fail "destroy sv"
shoji save nosuch "$D/x.save" 2>/dev/null; [ $? = 3 ] || fail "save of a missing domain: not exit 3"
[ ! -e "$D/x.save" ] && [ "$(ls -A "$D" | wc -l)" = 4 ] || fail "left in $D: $(ls -A "$D")"

# ---- save and restore ----
shoji create -p "$(ts_xml sv "$GUESTS/idle" "" destroy restart destroy 24)" >/dev/null || fail "create sv"
id=$(ts_id sv)
uuid=$(shoji domuuid sv)
sim_guest poke "$id" 800000 1122334455667788
sim_guest poke "$id" 9ff008 f00dcafedeadbeef
xs write "/local/domain/$id/data/greeting" "hello from $id" || fail "xs write"
xs chmod "/local/domain/$id/data/greeting" "b$id" r0 || fail "xs chmod"
# The guest's watches (as if its xenbus had registered them): relative, absolute, special,
# and enough long ones for the list to take several replies.
xsctl watch "$id" data/x tok1 || fail "CONTROL watch"
xsctl watch "$id" "/local/domain/$id/control/shutdown" tok2 || fail "CONTROL watch"
xsctl watch "$id" @releaseDomain "" || fail "CONTROL watch"
i=0
while [ $i -lt 60 ]; do
	xsctl watch "$id" "device/w$i" "token-$i-of-a-guest-with-a-rather-long-name" || fail "watch $i"
	i=$((i + 1))
done
xsctl watch "$id" data/x tok1 >"$SHOJI_TMP/out" && fail "a watch registered twice"
grep -qx EEXIST "$SHOJI_TMP/out" || fail "twice: $(cat "$SHOJI_TMP/out")"
xsctl watches "$id" >"$SHOJI_TMP/w.before" || fail "CONTROL watches: $(cat "$SHOJI_TMP/w.before")"
[ "$(wc -l <"$SHOJI_TMP/w.before")" = 63 ] || fail "watches: $(cat "$SHOJI_TMP/w.before")"
grep -qx "/local/domain/$id/control/shutdown tok2" "$SHOJI_TMP/w.before" &&
	grep -qx "data/x tok1" "$SHOJI_TMP/w.before" || fail "watches: $(head -3 "$SHOJI_TMP/w.before")"
snapshot "/local/domain/$id" "$id" >"$SHOJI_TMP/xs.before"
grep -q "^/data/greeting=hello from $id \[bSELF r0\]$" "$SHOJI_TMP/xs.before" ||
	fail "snapshot: $(cat "$SHOJI_TMP/xs.before")"
info_of sv >"$SHOJI_TMP/info.before"
shoji dumpxml sv >"$SHOJI_TMP/xml.before"

shoji save sv "$D/sv.save" >"$SHOJI_TMP/out" 2>&1 || fail "save: $(cat "$SHOJI_TMP/out")"
grep -q "^Domain 'sv' saved to $D/sv.save ([0-9]* pages, [0-9]* zero pages, [0-9]* bytes)$" \
	"$SHOJI_TMP/out" || fail "save said: $(cat "$SHOJI_TMP/out")"
[ -z "$(ts_id sv)" ] || fail "sv still runs after save: $(shoji list)"
xs exists "/local/domain/$id" && fail "its xenstore home is left"
[ "$(stat -c %a "$D/sv.save")" = 600 ] || fail "mode $(stat -c %a "$D/sv.save")"
[ "$(ls -A "$D" | grep -c '^\.')" = 0 ] || fail "temporary file left: $(ls -A "$D")"
[ "$(stat -c %s "$D/sv.save")" -lt $((1024 * 1024)) ] || fail "not sparse: $(stat -c %s "$D/sv.save") bytes"

shoji restore "$D/sv.save" -p >"$SHOJI_TMP/out" 2>&1 || fail "restore: $(cat "$SHOJI_TMP/out")"
grep -qx "Domain 'sv' restored (id $id), paused" "$SHOJI_TMP/out" || fail "restore said: $(cat "$SHOJI_TMP/out")"
shoji list | grep -q "^sv  *$id  *24  *1  *paused " || fail "list: $(shoji list)"
[ "$(shoji domuuid sv)" = "$uuid" ] || fail "uuid $(shoji domuuid sv), not $uuid"
info_of sv >"$SHOJI_TMP/info.after"
cmp -s "$SHOJI_TMP/info.before" "$SHOJI_TMP/info.after" ||
	fail "info differs: $(diff "$SHOJI_TMP/info.before" "$SHOJI_TMP/info.after")"
shoji dumpxml sv | cmp -s - "$SHOJI_TMP/xml.before" || fail "dumpxml differs"
sim_guest expect "$id" 800000 1122334455667788
sim_guest expect "$id" 9ff008 f00dcafedeadbeef
snapshot "/local/domain/$id" "$id" >"$SHOJI_TMP/xs.after"
cmp -s "$SHOJI_TMP/xs.before" "$SHOJI_TMP/xs.after" ||
	fail "xenstore differs: $(diff "$SHOJI_TMP/xs.before" "$SHOJI_TMP/xs.after")"
[ "$(xs read "/local/domain/$id/domid")" = "$id" ] || fail "domid node"
xsctl watches "$id" >"$SHOJI_TMP/w.after" || fail "CONTROL watches: $(cat "$SHOJI_TMP/w.after")"
cmp -s "$SHOJI_TMP/w.before" "$SHOJI_TMP/w.after" ||
	fail "watches differ: $(diff "$SHOJI_TMP/w.before" "$SHOJI_TMP/w.after")"
xs exists "$(xs read "/local/domain/$id/vm")/uuid" || fail "no /vm directory"

# ---- --json, and --keep: the domain stays as it was (paused here) ----
shoji save --keep --json sv "$D/k.save" >"$SHOJI_TMP/out" 2>&1 || fail "save --keep: $(cat "$SHOJI_TMP/out")"
grep -q "^{\"name\": \"sv\", \"file\": \"$D/k.save\", \"pages\": [1-9][0-9]*, .*\"kept\": true}$" \
	"$SHOJI_TMP/out" || fail "save --json said: $(cat "$SHOJI_TMP/out")"
shoji list | grep -q "^sv  *$id .* paused " || fail "--keep: $(shoji list)"
sim_guest expect "$id" 800000 1122334455667788

# ---- a name or uuid in use ----
refused "same name" "$D/k.save" "a domain named 'sv' already exists (domid $id)"
shoji rename sv sv2 >/dev/null || fail "rename"
refused "same uuid" "$D/k.save" "domain 'sv2' already has uuid $uuid"
shoji destroy sv2 >/dev/null || fail "destroy sv2"

# ---- corrupt, truncated, version 99: refused, nothing built ----
size=$(stat -c %s "$D/k.save")
for at in 40 $((size / 2)) $((size - 20)); do
	cp "$D/k.save" "$D/bad.save"
	b=$(od -An -tu1 -j "$at" -N1 "$D/bad.save" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" |
		dd of="$D/bad.save" bs=1 seek="$at" conv=notrunc 2>/dev/null
	cmp -s "$D/k.save" "$D/bad.save" && fail "byte $at not flipped"
	refused "byte $at flipped" "$D/bad.save" "corrupt"
done
for len in 100 $((size / 2)) $((size - 8)); do
	head -c "$len" "$D/k.save" >"$D/cut.save"
	refused "cut at $len" "$D/cut.save" "truncated stream"
done
head -c $((size - 8)) "$D/k.save" >"$D/cut.save" # in its END record, after shoji-hv built it
refused "no END" "$D/cut.save" "truncated stream: it ends at byte $((size - 8)), before its END record"
cp "$D/k.save" "$D/v99.save"
printf '\143' | dd of="$D/v99.save" bs=1 seek=8 conv=notrunc 2>/dev/null
refused "version 99" "$D/v99.save" "stream format version 99"
shoji list | grep -q "^sv" && fail "a refused restore left sv: $(shoji list)"

# ---- --json restore, and the id: kept when free ----
shoji restore --json --paused "$D/k.save" >"$SHOJI_TMP/out" 2>&1 || fail "restore --json: $(cat "$SHOJI_TMP/out")"
grep -qx "{\"name\": \"sv\", \"id\": $id, \"saved_id\": $id, \"uuid\": \"$uuid\", \"state\": \"paused\"}" \
	"$SHOJI_TMP/out" || fail "restore --json said: $(cat "$SHOJI_TMP/out")"
sim_guest expect "$id" 9ff008 f00dcafedeadbeef

# ---- the saved id is taken: another id, and what named the old one is re-based ----
# k.save as another domain (its name and uuid changed, checksum made again), while sv has the id.
cat >"$SHOJI_TMP/forge.py" <<'PY_EOF'
import struct, sys, uuid, zlib
src, dst, name, new = sys.argv[1:5]
b = open(src, 'rb').read()
t, l, crc, _ = struct.unpack('<IIII', b[16:32])
body, rest = bytearray(b[32:32 + l]), b[32 + l + (-l % 8):]
old = uuid.UUID(bytes=bytes(body[16:32]))
body[16:32] = uuid.UUID(new).bytes
body[32:104] = name.encode().ljust(72, b'\0')
xml = bytes(body[104:]).replace(b'<name>sv</name>', b'<name>' + name.encode() + b'</name>')
body = bytes(body[:104]) + xml.replace(str(old).encode(), new.encode())
c = zlib.crc32(struct.pack('<II', t, len(body)) + body)
open(dst, 'wb').write(b[:16] + struct.pack('<IIII', t, len(body), c, 0) + body +
                      b'\0' * (-len(body) % 8) + rest)
PY_EOF
sw_uuid=5a0b15f0-1d2e-4c3b-9a8d-7e6f5a4b3c2d
/usr/bin/python3 "$SHOJI_TMP/forge.py" "$D/k.save" "$D/sw.save" sw "$sw_uuid" || fail "forge"
shoji restore -p "$D/sw.save" >"$SHOJI_TMP/out" 2>&1 || fail "restore sw: $(cat "$SHOJI_TMP/out")"
nid=$(ts_id sw)
[ -n "$nid" ] && [ "$nid" != "$id" ] || fail "sw has id '$nid' (sv has $id)"
grep -qx "Domain 'sw' restored (id $nid), paused; it was saved as id $id, which is taken" \
	"$SHOJI_TMP/out" || fail "restore sw said: $(cat "$SHOJI_TMP/out")"
[ "$(shoji domuuid sw)" = "$sw_uuid" ] || fail "sw's uuid"
sim_guest expect "$nid" 800000 1122334455667788
sim_guest expect "$nid" 9ff008 f00dcafedeadbeef
snapshot "/local/domain/$nid" "$nid" >"$SHOJI_TMP/xs.sw"
sed "s|^/name=sv |/name=sw |; s|^/domid=$id |/domid=$nid |; s|^/vm=/vm/$uuid |/vm=/vm/$sw_uuid |" "$SHOJI_TMP/xs.before" |
	cmp -s - "$SHOJI_TMP/xs.sw" || fail "sw's xenstore: $(diff "$SHOJI_TMP/xs.before" "$SHOJI_TMP/xs.sw")"
[ "$(xs read "/vm/$sw_uuid/name") $(xs read "/vm/$sw_uuid/uuid")" = "sw $sw_uuid" ] || fail "sw's /vm"
xsctl watches "$nid" >"$SHOJI_TMP/w.sw" || fail "CONTROL watches $nid"
grep -qx "/local/domain/$nid/control/shutdown tok2" "$SHOJI_TMP/w.sw" ||
	fail "sw's absolute watch was not moved: $(head -3 "$SHOJI_TMP/w.sw")"
sed "s|^/local/domain/$nid/|/local/domain/$id/|" "$SHOJI_TMP/w.sw" | cmp -s - "$SHOJI_TMP/w.before" ||
	fail "sw's watches: $(head -3 "$SHOJI_TMP/w.sw")"
xsctl watches "$id" | cmp -s - "$SHOJI_TMP/w.before" || fail "sv's watches changed"
shoji destroy sw >/dev/null || fail "destroy sw"

# ---- a caller that is not root: its own rights for FILE ----
mkdir -m 755 "$SHOJI_TMP/rootonly" && mkdir -m 777 "$SHOJI_TMP/open" || fail "mkdir"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHOJI" "$@"; }
as_nobody save sv "$SHOJI_TMP/rootonly/x.save" 2>"$SHOJI_TMP/err"; rc=$?
[ $rc = 1 ] || fail "nobody saved into rootonly (exit $rc): $(cat "$SHOJI_TMP/err")"
grep -qx "shoji save: cannot create a file in $SHOJI_TMP/rootonly: Permission denied" "$SHOJI_TMP/err" ||
	fail "message: $(cat "$SHOJI_TMP/err")"
[ -z "$(ls -A "$SHOJI_TMP/rootonly")" ] || fail "left in rootonly: $(ls -A "$SHOJI_TMP/rootonly")"
shoji list | grep -q "^sv  *$id .* paused " || fail "sv after a refused save: $(shoji list)"
as_nobody save sv "$SHOJI_TMP/open/x.save" >/dev/null || fail "nobody cannot save into its directory"
[ "$(stat -c '%U %a' "$SHOJI_TMP/open/x.save")" = "nobody 600" ] ||
	fail "file is $(stat -c '%U %a' "$SHOJI_TMP/open/x.save")"
as_nobody restore -p "$SHOJI_TMP/open/x.save" >/dev/null || fail "nobody cannot restore its file"
sim_guest expect "$(ts_id sv)" 800000 1122334455667788
echo "PASS toolstack-save"
