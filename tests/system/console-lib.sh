# Helpers for the PV console and demo tests (console-*.sh, demo-*.sh).
# Source after tests/lib/common.sh.  Every daemon runs on private paths
# under $SHOJI_TMP and is stopped by PID; every wait is bounded.
#
#   con_start [ARGS]          start shoji-hv, shoji-xenstored and shoji-consoled (ARGS: its extra options)
#   con_create NAME KERNEL    build a 32 MiB domain with store + console (tests/system/console-dom)
#   con_wait_file F PATTERN [SECS]   wait until file F has a line matching PATTERN (grep -E)
#   con_session DOMID INPUT EXPECT   attach to the console socket, send INPUT, wait for EXPECT
#   cdom ARGS...              run console-dom on the private daemons

CON_HV="$top_builddir/hypervisor/shoji-hv"
CON_XSD="$top_builddir/xenstore/xenstored/shoji-xenstored"
CON_XS="$top_builddir/xenstore/cli/shoji-xenstore"
CON_D="$top_builddir/pv-drivers/dom0/consoled/shoji-consoled"
CON_DOM="$top_builddir/tests/system/console-dom"
CON_DEMO="$top_builddir/pv-drivers/guest/demo/demo"
CON_HOSTILE="$top_builddir/tests/guests/console-hostile"
CON_HV_SOCK="$SHOJI_TMP/hv.sock"
CON_XS_SOCK="$SHOJI_TMP/xs.sock"
CON_LOG="$SHOJI_TMP/log"
CON_RUN="$SHOJI_TMP/run"
for f in "$CON_HV" "$CON_XSD" "$CON_XS" "$CON_D" "$CON_DOM" "$CON_DEMO"; do
	[ -x "$f" ] || fail "$f is not built"
done

con_start() {
	mkdir -p "$SHOJI_TMP/xsstate"
	"$CON_HV" --socket "$CON_HV_SOCK" 2>"$SHOJI_TMP/hv.err" &
	track_pid $!
	wait_for_path "$CON_HV_SOCK" 10
	"$CON_XSD" --socket "$CON_XS_SOCK" --state-dir "$SHOJI_TMP/xsstate" \
		--hv-socket "$CON_HV_SOCK" 2>"$SHOJI_TMP/xsd.err" &
	track_pid $!
	wait_for_path "$CON_XS_SOCK" 10
	"$CON_D" --xs-socket "$CON_XS_SOCK" --hv-socket "$CON_HV_SOCK" --log-dir "$CON_LOG" \
		--run-dir "$CON_RUN" --verbose "$@" 2>"$SHOJI_TMP/consoled.err" &
	CON_D_PID=$!
	track_pid $CON_D_PID
	con_wait_file "$SHOJI_TMP/consoled.err" 'ready' 10
}

cdom() {
	timeout 60 "$CON_DOM" "$CON_HV_SOCK" "$CON_XS_SOCK" "$@"
}

con_create() {
	cdom create "$1" "$2" 32 || fail "cannot create domain $1 (see above)"
}

xs() {
	SHOJI_XENSTORED_PATH="$CON_XS_SOCK" timeout 10 "$CON_XS" "$@"
}

con_wait_file() {
	local f=$1 pat=$2 tries=$(( ${3:-30} * 10 ))
	while [ "$tries" -gt 0 ]; do
		[ -f "$f" ] && grep -qE "$pat" "$f" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	echo "--- $f:" >&2
	cat "$f" >&2 2>/dev/null
	echo "--- consoled:" >&2
	cat "$SHOJI_TMP/consoled.err" >&2
	fail "timed out waiting for /$pat/ in $f"
}

con_alive() {
	kill -0 "$CON_D_PID" 2>/dev/null || fail "shoji-consoled died: $(cat "$SHOJI_TMP/consoled.err")"
}

# Attach to domain $1's console socket, send $2, and wait (20 s) until the
# output seen since attaching contains $3.  The transcript goes to
# $SHOJI_TMP/session.out.
con_session() {
	timeout 30 python3 - "$CON_RUN/console/$1.sock" "$2" "$3" >"$SHOJI_TMP/session.out" <<'PY' ||
import socket, sys, time
path, send, expect = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.settimeout(1)
s.sendall(send)
seen = b""
deadline = time.time() + 20
while expect not in seen and time.time() < deadline:
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        continue
    if not chunk:
        break
    seen += chunk
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(0 if expect in seen else 1)
PY
		fail "console session on domain $1: did not see '$3' (got: $(cat "$SHOJI_TMP/session.out"))"
}
