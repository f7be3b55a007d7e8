#!/bin/sh
# Hostile clients over the socket: oversized and negative lengths (XSA-420),
# missing NULs, unknown types, clients that never read (XSA-326/349), deep
# paths.  The daemon must keep serving everyone else.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

xs_start --output-limit 65536
xs_py <<'PY' || fail "protocol robustness"
import struct
# header len 4097: the connection is dropped at once
s = connect()
s.sendall(struct.pack('<IIII', 2, 1, 0, 4097))
assert closed(s), "len 4097 kept the connection"
# "negative" length (XSA-420)
s = connect()
s.sendall(struct.pack('<IIII', 11, 1, 0, 0xffffffff))
assert closed(s), "len -1 kept the connection"
# len 4096 is accepted
s = connect()
t, p = call(s, 11, b'/max\0' + b'v' * 4091)
assert t == 11, p
t, p = call(s, 2, b'/max\0')
assert t == 2 and len(p) == 4091
# missing NUL, unknown and server-only types: errors, connection kept
assert call(s, 2, b'/max') == (16, b'EINVAL\0')
for ty in (15, 16, 20, 99, 0xffff):
    assert call(s, ty, b'') == (16, b'ENOSYS\0'), ty
assert call(s, 0, b'nonsense\0') == (16, b'EINVAL\0')
# replies echo req_id and tx_id
s.sendall(struct.pack('<IIII', 2, 0xdeadbeef, 0, 6) + b'/max\0\0')
t, r, tx, p = recv(s)
assert r == 0xdeadbeef and t == 2
s.sendall(struct.pack('<IIII', 4, 5, 12345, 7) + b'/w\0tok\0')
t, r, tx, p = recv(s)
assert tx == 12345 and p == b'OK\0', (t, tx, p)
# pipelined requests come back in order
s.sendall(b''.join(msg(2, b'/max\0', rid=i) for i in range(50)))
for i in range(50):
    t, r, tx, p = recv(s)
    while t == 15:
        t, r, tx, p = recv(s)
    assert r == i
# deep path: 1000 levels, then removed
deep = b'/deep' + b'/d' * 1000
assert call(s, 11, deep + b'\0x')[0] == 11
assert call(s, 13, b'/deep\0')[0] == 13
assert call(s, 0, b'check\0') == (0, b'OK\0')
# a watcher that never reads is dropped; nobody else notices
lazy = connect()
lazy.sendall(msg(4, b'/flood\0' + b't' * 2000 + b'\0'))
for i in range(300):
    assert call(s, 11, b'/flood/%d\0v' % i)[0] == 11

# a client that pipelines requests and never reads stalls only itself
hog = connect()
hog.setblocking(False)
sent = 0
try:
    while sent < 20000:
        hog.send(msg(2, b'/max\0'))
        sent += 1
except BlockingIOError:
    pass
r = call(s, 2, b"/max\0"); assert r[0] == 2, r
PY
# the lazy watcher was dropped for its unread output
grep -q "dropping connection" "$SHOJI_TMP/xenstored.log" || fail "unread output was not bounded"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$XS_PID/status")
echo "daemon RSS ${rss} kB"
[ "$rss" -lt 262144 ] || fail "daemon memory grew to $rss kB"
xs write /still/alive yes || fail "daemon stopped serving"
echo "xs-robust: ok"
