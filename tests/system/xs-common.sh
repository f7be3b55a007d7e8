# Helpers for the xenstore system tests (sourced after tests/lib/common.sh).
XSD="$top_builddir/xenstore/xenstored/shoji-xenstored"
XSCLI="$top_builddir/xenstore/cli/shoji-xenstore"
XS_SOCK="$SHOJI_TMP/xenstored.sock"
XS_STATE="$SHOJI_TMP/state"
XS_PID=""

# Start a private daemon (extra options are passed on) and wait for its socket.
xs_start() {
	rm -f "$XS_SOCK"
	"$XSD" --socket "$XS_SOCK" --state-dir "$XS_STATE" "$@" 2>>"$SHOJI_TMP/xenstored.log" &
	XS_PID=$!
	track_pid "$XS_PID"
	wait_for_path "$XS_SOCK" 10
}

# Wait up to 20 s for file $1 to be non-empty (a watcher's first event); the caller checks
# what it got.
wait_nonempty() {
	local i=0
	while [ $i -lt 200 ]; do
		i=$((i + 1))
		[ -s "$1" ] && break
		sleep 0.1
	done
}

xs() {
	"$XSCLI" --socket "$XS_SOCK" "$@"
}

# Run python code with a raw protocol client: msg(type, payload, tx=0) -> bytes,
# send(...), recv() -> (type, req_id, tx_id, payload), call(type, payload, tx) -> (type, payload).
xs_py() {
	/usr/bin/python3 - "$XS_SOCK" "$@" <<PYEOF
import os, socket, struct, sys, time
SOCK = sys.argv[1]
ARGS = sys.argv[2:]
def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(SOCK)
    return s
def msg(t, p, tx=0, rid=7):
    return struct.pack('<IIII', t, rid, tx, len(p)) + p
def recvn(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b
def recv(s):
    t, r, tx, l = struct.unpack('<IIII', recvn(s, 16))
    return t, r, tx, recvn(s, l)
def call(s, t, p, tx=0):
    s.sendall(msg(t, p, tx))
    while True:
        rt, r, rtx, rp = recv(s)
        if rt != 15:
            return rt, rp
def closed(s):
    s.settimeout(5)
    try:
        return s.recv(1) == b''
    except ConnectionResetError:
        return True
$(cat)
PYEOF
}
