#!/bin/sh
# The journal before the reply (issue 18 #5): shoji-xenstored must not
# acknowledge a change before its log record is written.  Deterministic fault
# injection: the daemon runs under a 64 KiB file-size limit (RLIMIT_FSIZE, with
# SIGXFSZ ignored), so the log write of one request fails and the daemon
# stops ("cannot write the log").  Every write it acknowledged before that
# must be in the log: a restarted daemon without the limit has them all.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

command -v python3 >/dev/null || fail "python3 is needed (run scripts/deps)"
rm -f "$XS_SOCK"
python3 -c 'import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # ignored stays ignored across exec
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
os.execv(sys.argv[1], sys.argv[1:])' "$XSD" --socket "$XS_SOCK" --state-dir "$XS_STATE" \
	2>>"$SHOJI_TMP/xenstored.log" &
XS_PID=$!
track_pid "$XS_PID"
wait_for_path "$XS_SOCK" 10

# Write 3,000-byte values until the daemon goes away; record each acknowledged key.
xs_py "$SHOJI_TMP/acked" >"$SHOJI_TMP/count" <<'PY' || fail "writer failed"
s = connect()
acked = open(ARGS[0], 'w')
i = 0
try:
    while i < 1000:
        t, p = call(s, 11, b'/k/%d\0' % i + b'%d' % i * 1000)
        assert t == 11, (t, p)
        acked.write('/k/%d\n' % i)
        acked.flush()
        i += 1
except (EOFError, OSError):
    pass
print(i)
PY
n=$(cat "$SHOJI_TMP/count")
status=0
wait "$XS_PID" || status=$?
[ "$status" -ne 0 ] || fail "the daemon exited 0 under the file-size limit"
grep -q "cannot write the log" "$SHOJI_TMP/xenstored.log" ||
	fail "the daemon did not stop on the failed log write: $(cat "$SHOJI_TMP/xenstored.log")"
# 64 KiB hold about 21 such records: the limit was hit well inside the run, not at its start
[ "$n" -ge 5 ] && [ "$n" -lt 1000 ] || fail "$n writes acknowledged; expected 5..999"

# Restart without the limit: every acknowledged write is there, with its value.
xs_start
xs_py "$SHOJI_TMP/acked" <<'PY' || fail "an acknowledged write is not in the journal"
s = connect()
for line in open(ARGS[0]):
    key = line.strip()
    i = int(key.split('/')[-1])
    t, p = call(s, 2, key.encode() + b'\0')
    assert t == 2 and p == b'%d' % i * 1000, 'acknowledged %s is lost: %r' % (key, p[:40])
PY
echo "xs-journal-order: all $n acknowledged writes were journalled first"
