#!/bin/sh
# Issue 15 #17: with --fsync every journal batch is on the disk (fdatasync)
# before any reply of that batch is sent, and a compaction syncs the new
# file before the rename and the directory after it; without --fsync
# nothing is synced.  Checked on the daemon's system calls (strace).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

if ! strace -o /dev/null true 2>/dev/null; then
	echo "SKIP: strace cannot trace here"
	exit 77
fi

# traced MODE [OPTIONS]: a daemon under strace, 20 writes, a compaction, stop
traced() {
	mode=$1
	shift
	rm -f "$XS_SOCK"
	strace -o "$SHOJI_TMP/trace.$mode" -e trace=write,fdatasync,fsync,sendto,sendmsg,renameat,renameat2,rename \
		"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/state.$mode" --pidfile "$SHOJI_TMP/pid" \
		"$@" 2>>"$SHOJI_TMP/xenstored.log" &
	spid=$!
	track_pid "$spid"
	wait_for_path "$SHOJI_TMP/pid" 10
	for i in $(seq 20); do
		xs write "/k/$i" "v$i" || fail "$mode: write $i"
	done
	xs_py <<'PY' || fail "$mode: compact"
s = connect()
assert call(s, 0, b'compact\0') == (0, b'OK\0')
PY
	kill "$(cat "$SHOJI_TMP/pid")"
	wait "$spid" 2>/dev/null
	rm -f "$SHOJI_TMP/pid"
}

traced fsync --fsync
# the journal is the only file written (stderr is 2, replies are sendto)
python3 - "$SHOJI_TMP/trace.fsync" <<'PY' || fail "--fsync: order of writes, syncs and replies"
import re, sys
calls = []
for line in open(sys.argv[1]):
    m = re.match(r'(\w+)\((\d*)', line)
    if m:
        calls.append((m.group(1), m.group(2), line.strip()))
# the pid file (written to a temporary, then renamed) is not the journal: drop both calls
for i, (call, fd, line) in enumerate(calls):
    if call.startswith('rename') and 'pid.tmp.' in line:
        w = max(j for j in range(i) if calls[j][0] == 'write' and re.search(r'"\d+\\n"', calls[j][2]))
        calls = calls[:w] + calls[w + 1:i] + calls[i + 1:]
        break
# the socket, bound and listening as xenstored.sock.new, renamed into place: not a compaction
calls = [c for c in calls if not (c[0].startswith('rename') and '.sock.new"' in c[2])]
unsynced = None  # the file descriptor of a journal write not yet synced
replies = syncs = 0
for i, (call, fd, line) in enumerate(calls):
    if call == 'write' and fd not in ('1', '2'):  # the journal (stderr is 2, replies sendto)
        unsynced = fd
    elif call in ('fdatasync', 'fsync') and fd == unsynced:
        unsynced = None
        syncs += 1
    elif call in ('sendto', 'sendmsg'):
        replies += 1
        assert unsynced is None, 'a reply went out before its journal write was synced: ' + line
    elif call in ("rename", "renameat", "renameat2"):
        assert calls[i - 1][0] == 'fsync', 'compaction renamed an unsynced file: ' + calls[i - 1][2]
        assert calls[i + 1][0] == 'fsync', 'compaction: the directory not synced after the rename'
assert any(c[0] in ("rename", "renameat", "renameat2") for c in calls), 'no compaction'
assert replies >= 21 and syncs >= 21, (replies, syncs)
print('--fsync: %d replies, %d journal syncs' % (replies, syncs))
PY
traced plain
grep -q "fdatasync\|fsync" "$SHOJI_TMP/trace.plain" && fail "syncs without --fsync"
echo "xs-fsync: ok"
