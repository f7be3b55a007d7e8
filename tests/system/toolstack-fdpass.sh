#!/bin/sh
# Files a client names are opened with the client's rights (issue 15 #5, #4):
# the CLI opens the kernel and initrd as the user and passes them open to
# shojid, which hands them on to shoji-hv; shoji-hv opens no path for anyone.
# A member of shojid's --group cannot make shojid read a root-only file (the
# CLI's open fails as the user; a raw API request without descriptors is
# refused by shojid), and nothing is left behind; its own files boot fine, by
# create and by start of a definition; a FIFO as kernel is refused at once;
# root's raw request without descriptors still works; a reboot (on_reboot
# restart) and an autostart open the files with the rights of the domain's
# owner (who built it, who turned autostart on).  Runs on hvsim.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

chmod 755 "$SHOJI_TMP" # the member reaches the socket and its files
ts_start_sim --group nogroup
member() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHOJI" "$@"; }

M="$SHOJI_TMP/member"
mkdir "$M"
cp "$GUESTS/idle" "$M/kernel"
echo "the member's initrd" >"$M/initrd"
SECRET="$SHOJI_TMP/secret"
echo "root's secret" >"$SECRET"
chmod 600 "$SECRET"
mkfifo "$M/fifo"
chown -R nobody:nogroup "$M"

# xml NAME KERNEL INITRD: a definition the member can read.
xml() {
	cat >"$M/$1.xml" <<XMLEOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>16</memory>
  <os>
    <type>xenpvh</type>
    <kernel>$2</kernel>
    <initrd>$3</initrd>
  </os>
  <on_reboot>restart</on_reboot>
</domain>
XMLEOF
	chown nobody:nogroup "$M/$1.xml"
	echo "$M/$1.xml"
}

# one_line FILE EXPECTED: FILE holds exactly one line, and it contains EXPECTED.
one_line() {
	[ "$(wc -l <"$1")" = 1 ] && grep -qF "$2" "$1" || fail "expected one line with '$2': $(cat "$1")"
}

# gone NAME: no domain, definition or record of NAME anywhere.
gone() {
	shoji list --all | grep -q "^$1 " && fail "$1 was left behind: $(shoji list --all)"
	[ -z "$(ls "$TS_STATE/run" 2>/dev/null)" ] || fail "records left: $(ls "$TS_STATE/run")"
	return 0
}

# raw UID TYPE ARG: a request sent as UID without descriptors (what a client other than
# the CLI may send), paused: API_CREATE (1) or API_DEFINE (2) of the XML file ARG, or
# API_START (4) of the domain ARG; prints "STATUS MESSAGE" of shojid's reply.  With FILE...
# after ARG, those files go with it, opened (as UID), as the CLI sends a kernel and initrd.
API_VERSION=$(sed -n 's/^#define API_VERSION  *\([0-9]*\).*/\1/p' "$top_srcdir/include/proto/shojid-api.h")
raw() {
	timeout 10 setpriv --reuid="$1" --regid=nogroup --clear-groups /usr/bin/python3 - "$SHOJID_SOCKET" "$API_VERSION" "$@" <<'PYEOF'
import os, socket, struct, sys
path, version, typ, arg = sys.argv[1], int(sys.argv[2]), int(sys.argv[4]), sys.argv[5]
fds = [os.open(f, os.O_RDONLY | os.O_NONBLOCK) for f in sys.argv[6:]]
text = open(arg, 'rb').read() if typ != 4 else b''
target = arg.encode() if typ == 4 else b''
req = struct.pack('<IIQ64s8x', 0x1, len(text), 0, target)  # API_F_PAUSED
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
msg = struct.pack('<IHHIi', 0x4a4f4853, version, typ, len(req) + len(text), 0) + req + text
if fds:
    socket.send_fds(s, [msg[:16]], fds)
    msg = msg[16:]
s.sendall(msg)
def full(n):
    b = b''
    while len(b) < n:
        k = s.recv(n - len(b))
        if not k:
            sys.exit('shojid closed the connection')
        b += k
    return b
magic, ver, typ, n, status = struct.unpack('<IHHIi', full(16))
body = full(n)
print(status, body.decode(errors='replace') if status else '')
PYEOF
}

# 1. The member names root's file as its initrd: the CLI cannot open it as the member.
member create -p "$(xml m1 "$M/kernel" "$SECRET")" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" &&
	fail "the member created a domain with $SECRET as initrd"
one_line "$SHOJI_TMP/err" "initrd '$SECRET' is not readable: Permission denied"
gone m1

# 2. The same as a raw request without descriptors: shojid opens nothing for the member.
raw nobody 1 "$(xml m2 "$M/kernel" "$SECRET")" >"$SHOJI_TMP/out" 2>&1 || fail "raw: $(cat "$SHOJI_TMP/out")"
one_line "$SHOJI_TMP/out" "kernel $M/kernel: pass the file's descriptor (shoji opens it as you)"
grep -q "^13 " "$SHOJI_TMP/out" || fail "raw: not EACCES: $(cat "$SHOJI_TMP/out")"
gone m2

# ... and with descriptors of other files than the XML names: refused, the file's path named.
raw nobody 1 "$(xml m2 "$SECRET" "$M/initrd")" "$M/kernel" "$M/initrd" >"$SHOJI_TMP/out" 2>&1
one_line "$SHOJI_TMP/out" "kernel $SECRET: the descriptor passed is not this file"
raw nobody 1 "$(xml m2 "$M/kernel" "$SECRET")" "$M/kernel" "$M/initrd" >"$SHOJI_TMP/out" 2>&1
one_line "$SHOJI_TMP/out" "initrd $SECRET: the descriptor passed is not this file"
gone m2

# 3. A FIFO as kernel: refused at once (no hang), one line, nothing left.
timeout 10 "$SHOJI" create -p "$(xml m3 "$M/fifo" "$M/initrd")" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err"
rc=$?
[ $rc = 124 ] && fail "create with a FIFO as kernel hung"
[ $rc != 0 ] || fail "create with a FIFO as kernel succeeded"
grep -q "not a regular file" "$SHOJI_TMP/err" || fail "FIFO: $(cat "$SHOJI_TMP/err")"
gone m3
# ... and the member's start of a definition whose kernel became a FIFO since.
cp "$M/kernel" "$M/k3"
member define "$(xml m3 "$M/k3" "$M/initrd")" >/dev/null || fail "define m3"
rm "$M/k3"
mkfifo "$M/k3"
timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$SHOJI" start -p m3 \
	>"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err"
rc=$?
[ $rc = 124 ] && fail "start with a FIFO as kernel hung"
[ $rc != 0 ] || fail "start with a FIFO as kernel succeeded"
one_line "$SHOJI_TMP/err" "not a regular file"
shoji undefine m3 >/dev/null || fail "undefine m3"
# ... and root's raw request naming the FIFO (shojid opens it as root): refused at once too.
out=$(raw 0 1 "$(xml m3 "$M/fifo" "$M/initrd")") || fail "root's raw FIFO create hung or failed: $out"
echo "$out" | grep -q "^22 .*not a regular file" || fail "root's raw FIFO create: $out"
gone m3

# 4. The member's own files boot: by create, and by start of a definition.
member create -p "$(xml m4 "$M/kernel" "$M/initrd")" >"$SHOJI_TMP/out" 2>&1 ||
	fail "the member cannot create from its own files: $(cat "$SHOJI_TMP/out")"
member define "$(xml m5 "$M/kernel" "$M/initrd")" >/dev/null 2>&1 || fail "define m5"
member start -p m5 >"$SHOJI_TMP/out" 2>&1 || fail "the member cannot start m5: $(cat "$SHOJI_TMP/out")"
# A definition naming root's file (defining reads nothing): starting it is refused, as
# the member's CLI cannot open the file and shojid opens nothing for the member.
raw nobody 2 "$(xml m6 "$M/kernel" "$SECRET")" | grep -qx "0 " || fail "raw define m6"
member start -p m6 >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" && fail "the member started m6 with $SECRET"
one_line "$SHOJI_TMP/err" "initrd $SECRET: Permission denied"
raw nobody 4 m6 >"$SHOJI_TMP/out" 2>&1
one_line "$SHOJI_TMP/out" "kernel $M/kernel: pass the file's descriptor (shoji opens it as you)"
shoji list | grep -q "^m6 " && fail "m6 runs"

# 5. Root's raw request without descriptors still works (shojid opens the paths as root).
raw 0 1 "$(xml r1 "$GUESTS/idle" "$SECRET")" >"$SHOJI_TMP/out" 2>&1 || fail "raw root: $(cat "$SHOJI_TMP/out")"
grep -qx "0 " "$SHOJI_TMP/out" || fail "root's raw create: $(cat "$SHOJI_TMP/out")"
shoji list | grep -q "^r1 " || fail "r1 does not run"

# 6. Reboot: the member's domain is built again from its files, opened as the member.
id=$(shoji list | awk '$1 == "m4" { print $2 }')
[ -n "$id" ] || fail "m4 does not run"
sim_guest shutdown "$id" 1
tries=100
until grep -q "restarted m4: domain $id -> " "$SHOJI_TMP/shojid.log"; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "m4 was not restarted: $(tail -n 5 "$SHOJI_TMP/shojid.log")"
	sleep 0.1
done
# ... and once the member's initrd is root's secret, the restart is refused (opened as the
# member; m5 boots from the same files).
id=$(shoji list | awk '$1 == "m5" { print $2 }')
[ -n "$id" ] || fail "m5 does not run: $(shoji list)"
ln -sf "$SECRET" "$M/initrd"
sim_guest shutdown "$id" 1
tries=100
until grep -q "cannot restart m5: cannot open the initrd $M/initrd: Permission denied" "$SHOJI_TMP/shojid.log"; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "m5 restarted with $SECRET: $(tail -n 5 "$SHOJI_TMP/shojid.log")"
	sleep 0.1
done

# 7. Autostart builds with the rights of whoever turned it on: the member's definition naming
# root's file fails when shojid starts again, root's starts.
raw nobody 2 "$(xml m8 "$M/kernel" "$SECRET")" | grep -qx "0 " || fail "raw define m8"
member autostart m8 >/dev/null || fail "the member cannot mark m8 autostart"
shoji define "$(xml r8 "$GUESTS/idle" "$SECRET")" >/dev/null || fail "define r8"
shoji autostart r8 >/dev/null || fail "autostart r8"
kill "$SHOJID_PID"
wait "$SHOJID_PID" 2>/dev/null
ts_start --no-spawn --group nogroup
tries=100
until grep -q "autostarted r8 as domain " "$SHOJI_TMP/shojid.log" &&
	grep -q "autostart m8: cannot open the initrd $SECRET: Permission denied" "$SHOJI_TMP/shojid.log"; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "autostart: $(tail -n 8 "$SHOJI_TMP/shojid.log")"
	sleep 0.1
done
echo "PASS toolstack-fdpass"
