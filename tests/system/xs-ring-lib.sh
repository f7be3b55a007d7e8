# Shared set-up of the guest-ring tests (tests/system/xs-ring-*.sh): a private shoji-hv and a
# shoji-xenstored serving guest rings through it.  Source after common.sh and require_kvm.
. "$top_srcdir/tests/dom0/dom0-lib.sh"
XSD="$top_builddir/xenstore/xenstored/shoji-xenstored"
XSCLI="$top_builddir/xenstore/cli/shoji-xenstore"
RUN="$top_builddir/tests/dom0/xs-ring-run"
XS_GUEST="$top_builddir/tests/guests/xs-guest"
XS_SOCK="$SHOJI_TMP/xs.sock"
XS_PID="$SHOJI_TMP/xsd.pid"
XSRAW="$SHOJI_TMP/xsraw.py"
export XSD XSCLI XS_SOCK XS_PID XSRAW SOCK SHOJI_TMP
for f in "$XSD" "$XSCLI" "$RUN" "$XS_GUEST"; do
	[ -x "$f" ] || fail "$f is not built"
done

# Start (or restart) the daemon; its pid is kept in $XS_PID (a hook may restart it).
xsd_start() {
	rm -f "$XS_SOCK"
	"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/xs-state" --hv-socket "$SOCK" \
		--pidfile "$XS_PID" </dev/null >>"$SHOJI_TMP/xsd.err" 2>&1 &
	wait_for_path "$XS_SOCK" 10
}

xs() {
	timeout 10 "$XSCLI" --socket "$XS_SOCK" "$@"
}

# One raw request over the socket: xsraw TYPE [ARG...] sends the arguments NUL-terminated and
# prints the reply's payload (NULs as spaces, the last one dropped), or "ERROR NAME".
cat >"$XSRAW" <<'PY_EOF'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(os.environ['XS_SOCK'])
t = int(sys.argv[1])
p = b''.join(a.encode() + b'\0' for a in sys.argv[2:])
s.sendall(struct.pack('<IIII', t, 1, 0, len(p)) + p)
def recvn(n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b
while True:
    rt, rid, tx, l = struct.unpack('<IIII', recvn(16))
    rp = recvn(l)
    if rt != 15:
        break
rp = rp[:-1] if rp.endswith(b'\0') else rp
print(('ERROR ' if rt == 16 else '') + rp.replace(b'\0', b' ').decode())
PY_EOF
xsraw() {
	/usr/bin/python3 "$XSRAW" "$@"
}
XS_GET_QUOTA=25
XS_SET_QUOTA=26

xsd_alive() {
	kill -0 "$(cat "$XS_PID")" 2>/dev/null || fail "shoji-xenstored died: $(cat "$SHOJI_TMP/xsd.err")"
}

xs_ring_cleanup() {
	[ -f "$XS_PID" ] && stop_pids "$(cat "$XS_PID")"
	shoji_cleanup
}
trap xs_ring_cleanup EXIT

# The hook the Dom0 helper runs when a guest asks: hook WORD DOMID.
HOOK="$SHOJI_TMP/hook.sh"
cat >"$HOOK" <<'HOOK_EOF'
#!/bin/sh
xs() { timeout 10 "$XSCLI" --socket "$XS_SOCK" "$@"; }
kill9_restart() {
	kill -9 "$(cat "$XS_PID")"
	sleep 0.3
	rm -f "$XS_SOCK"
	"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/xs-state" --hv-socket "$SOCK" \
		--pidfile "$XS_PID" </dev/null >>"$SHOJI_TMP/xsd.err" 2>&1 &
	n=0
	while [ ! -e "$XS_SOCK" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
}
case "$1" in
write)
	# in the hostile test, the write waits until the hostile guest has been dealt with
	if [ -n "$XS_WAIT_FILE" ]; then
		n=0
		while [ ! -e "$XS_WAIT_FILE" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
	fi
	xs write "/local/domain/$2/data/w" from-dom0
	;;
restart)
	kill9_restart
	xs write "/local/domain/$2/data/after" 1
	;;
restart-quiet)
	# a per-domain quota override goes through the same SIGKILL
	/usr/bin/python3 "$XSRAW" 26 "$2" nodes 555 >"$SHOJI_TMP/quota-set" 2>&1
	kill9_restart
	/usr/bin/python3 "$XSRAW" 25 "$2" nodes >"$SHOJI_TMP/quota-dom-after" 2>&1
	/usr/bin/python3 "$XSRAW" 25 watches >"$SHOJI_TMP/quota-global-after" 2>&1
	;;
shutdown)
	xs write "/local/domain/$2/data/gone" x && xs write "/local/domain/$2/control/shutdown" poweroff
	;;
*)
	exit 1
	;;
esac
HOOK_EOF
chmod +x "$HOOK"

xsd_start
xs write /local/domain/0/secret dom0-only || fail "cannot write the dom0 node"
