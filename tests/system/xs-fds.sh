#!/bin/sh
# Issue 15 #9: out of file descriptors, accept fails; the daemon must not spin
# on its listening socket (it did, at ~86% CPU), must log that rate-limited,
# and must serve again once descriptors are free.  And --max-clients caps the
# socket clients served at once: the next one waits until one leaves.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

cpu_ticks() { # utime + stime of a process, in clock ticks
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# a daemon allowed 40 descriptors, and 100 clients connecting
rm -f "$XS_SOCK"
prlimit --nofile=40 -- "$XSD" --socket "$XS_SOCK" --state-dir "$XS_STATE" \
	2>>"$SHOJI_TMP/xenstored.log" &
XS_PID=$!
track_pid "$XS_PID"
wait_for_path "$XS_SOCK" 10
hz=$(getconf CLK_TCK)
xs_py "$XS_PID" "$hz" <<'PY' || fail "descriptor exhaustion"
pid, hz = ARGS[0], int(ARGS[1])
def ticks():
    f = open('/proc/%s/stat' % pid).read().rsplit(')', 1)[1].split()
    return int(f[11]) + int(f[12])
held = [connect() for i in range(100)]  # the backlog takes those the daemon cannot
time.sleep(0.5)
t0, c0 = time.time(), ticks()
time.sleep(3)
used = (ticks() - c0) / hz / (time.time() - t0)
print('daemon CPU while out of descriptors: %.0f%%' % (used * 100))
assert used < 0.2, 'the daemon spins: %.0f%% CPU' % (used * 100)
for s in held:
    s.close()
# served again (within the back-off)
s = connect()
t, p = call(s, 11, b'/after\0ok')
assert t == 11, p
PY
n=$(grep -c "cannot accept a client" "$SHOJI_TMP/xenstored.log")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "$n accept failures logged in 3.5 s (want 1 line per 10 s)"
[ "$(xs read /after)" = ok ] || fail "not served after descriptors came back"
kill "$XS_PID"
wait "$XS_PID" 2>/dev/null

# at most 4 clients at once
xs_start --max-clients 4
xs_py <<'PY' || fail "--max-clients"
first = [connect() for i in range(4)]
for s in first:
    assert call(s, 2, b'/after\0')[0] == 2
fifth = connect()  # queued by the kernel, not accepted yet
fifth.sendall(msg(2, b'/after\0'))
fifth.settimeout(1)
try:
    fifth.recv(16)
    raise AssertionError('a fifth client was served')
except socket.timeout:
    pass
first[0].close()
fifth.settimeout(5)
t, r, tx, p = recv(fifth)
assert t == 2 and p == b'ok', (t, p)
PY
grep -q "no more are accepted until one leaves" "$SHOJI_TMP/xenstored.log" || fail "cap not logged"
"$XSD" --max-clients 0 2>/dev/null
[ $? -eq 2 ] || fail "--max-clients 0 is not bad usage"
echo "xs-fds: ok"
