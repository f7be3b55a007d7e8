#!/bin/sh
# Issue 15 #10: the socket is dom0's.  A client is served (as privileged
# dom0) only when it runs as root or as the daemon's own user (SO_PEERCRED);
# before, any process the socket's mode let in could INTRODUCE, SET_QUOTA
# and CONTROL.  Others are refused at once even when the mode lets them
# connect.  And the socket file has mode 0600 from its creation, whatever
# the umask (before, chmod came after bind).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	echo "SKIP: needs root, setpriv (util-linux) and the user nobody"
	exit 77
fi
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
chmod 0711 "$SHOJI_TMP"

# One request as a user: prints "closed" (no reply) or "reply TYPE PAYLOAD".
cat >"$SHOJI_TMP/client.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
p = sys.argv[3].encode().replace(b',', b'\0')
try:
    s.sendall(struct.pack('<IIII', int(sys.argv[2]), 1, 0, len(p)) + p)
    h = s.recv(16)
except (ConnectionResetError, BrokenPipeError):
    h = b''
if len(h) < 16:
    print('closed')
else:
    t, r, tx, l = struct.unpack('<IIII', h)
    body = b''
    while len(body) < l:
        body += s.recv(l - len(body))
    print('reply %d %s' % (t, body.rstrip(b'\0').decode()))
PY
chmod 0644 "$SHOJI_TMP/client.py"
as_user() { # as_user UID SOCKET TYPE ARGS (ARGS: comma-separated)
	uid=$1
	shift
	setpriv --reuid="$uid" --regid="$NOGROUP" --clear-groups /usr/bin/python3 "$SHOJI_TMP/client.py" "$@"
}

xs_start
chmod 0666 "$XS_SOCK" # the mode lets everyone connect: the credentials still decide
for req in "8 7,1,1," "26 path-max,1024," "0 check," "11 /pwned,x"; do
	# shellcheck disable=SC2086
	r=$(as_user "$NOBODY" "$XS_SOCK" $req) || fail "client as nobody: $r"
	[ "$r" = closed ] || fail "nobody's request $req was served: $r"
done
[ "$(as_user 0 "$XS_SOCK" 17 7,)" = "reply 17 F" ] || fail "nobody's INTRODUCE took effect"
xs exists /pwned && fail "nobody's WRITE took effect"
grep -q "refused a client of uid $NOBODY" "$SHOJI_TMP/xenstored.log" || fail "refusal not logged"
[ "$(grep -c "refused a client" "$SHOJI_TMP/xenstored.log")" -eq 1 ] || fail "refusals not rate-limited"
[ "$(as_user 0 "$XS_SOCK" 11 /root-ok,y)" = "reply 11 OK" ] || fail "root refused"

# a daemon running as nobody serves nobody and root, and refuses uid 1
mkdir -m 0700 "$SHOJI_TMP/nb"
chown "$NOBODY:$NOGROUP" "$SHOJI_TMP/nb"
setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups "$XSD" --socket "$SHOJI_TMP/nb/s" \
	--state-dir "$SHOJI_TMP/nb/state" 2>>"$SHOJI_TMP/nb.log" &
track_pid $!
wait_for_path "$SHOJI_TMP/nb/s" 10
chmod 0711 "$SHOJI_TMP/nb"
chmod 0666 "$SHOJI_TMP/nb/s"
[ "$(as_user "$NOBODY" "$SHOJI_TMP/nb/s" 11 /mine,1)" = "reply 11 OK" ] || fail "the daemon's own user refused"
[ "$(as_user 0 "$SHOJI_TMP/nb/s" 2 /mine,)" = "reply 2 1" ] || fail "root refused by a daemon running as nobody"
[ "$(as_user 1 "$SHOJI_TMP/nb/s" 2 /mine,)" = closed ] || fail "uid 1 served by a daemon running as nobody"

# the socket's mode owes nothing to the umask or a chmod after bind
if strace -o /dev/null -e trace=chmod -e inject=chmod:retval=0 true 2>/dev/null; then
	(
		umask 000
		exec strace -f -o /dev/null -e trace=chmod,fchmodat -e inject=chmod,fchmodat:retval=0 \
			"$XSD" --socket "$SHOJI_TMP/m.sock" --state-dir "$SHOJI_TMP/m-state" \
			--pidfile "$SHOJI_TMP/m.pid"
	) 2>>"$SHOJI_TMP/m.log" &
	track_pid $!
	wait_for_path "$SHOJI_TMP/m.pid" 10
	track_pid "$(cat "$SHOJI_TMP/m.pid")"
	mode=$(stat -c %a "$SHOJI_TMP/m.sock")
	[ "$mode" = 600 ] || fail "socket created with mode $mode under umask 000"
else
	echo "strace cannot inject here: the umask case is not run"
fi
echo "xs-peercred: ok"
