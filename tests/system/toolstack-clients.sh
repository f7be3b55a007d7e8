#!/bin/sh
# shojid's clients are capped and accounted (issue 15, findings 9 and 12):
# --max-clients N serves N at once and the next waits in the backlog until
# one leaves; a client that piles up more than one request's worth of bytes
# unread (here: an events subscriber that keeps writing) is dropped; and an
# events subscriber that reads nothing while thousands of events happen is
# dropped once SHOJID_SUB_OUT_MAX (1 MiB) is queued for it, instead of
# growing shojid without limit.  shojid is still serving after each.  And
# (finding 10) a user who is neither root nor in --group is refused on
# accept even when the socket file's mode would let them connect.  Runs
# shojid on hvsim (tests/sim/hvsim-serve): the domain is created paused.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

# Under AddressSanitizer, freed memory waits in a quarantine (256 MiB by default) before it
# is reused, which would read as growth here: keep it small (ignored by other builds).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS
ts_start_sim --max-clients 3
shoji create -p "$(ts_xml cl "$GUESTS/idle")" >"$SHOJI_TMP/out" 2>&1 || fail "create: $(cat "$SHOJI_TMP/out")"
python3 - "$SHOJID_SOCKET" "$top_srcdir/include/proto/shojid-api.h" "$SHOJID_PID" <<'PY' || fail "clients"
import re, socket, struct, sys, time
path, header, pid = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
version = int(re.search(r'#define API_VERSION\s+(\d+)', header).group(1))
names = re.findall(r'^\s*(API_[A-Z_]+)\s*(?:= 1)?,', header.split('enum api_type {')[1].split('};')[0], re.M)
T = {n: i + 1 for i, n in enumerate(names)}
MAGIC = 0x4a4f4853

def connect(rcvbuf=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(path)
    return s

def request(s, t, target=b''):
    req = struct.pack('<IIQ64s8x', 0, 0, 0, target)
    s.sendall(struct.pack('<IHHIi', MAGIC, version, t, len(req), 0) + req)

def reply(s):
    h = b''
    while len(h) < 16:
        c = s.recv(16 - len(h))
        assert c, 'connection closed'
        h += c
    magic, v, t, n, status = struct.unpack('<IHHIi', h)
    body = b''
    while len(body) < n:
        body += s.recv(n - len(body))
    return status, body

def rss_kib():
    for l in open('/proc/%s/status' % pid):
        if l.startswith('VmRSS:'):
            return int(l.split()[1])

# --max-clients 3: a fourth waits until one leaves
first = [connect() for i in range(3)]
for s in first:
    request(s, T['API_LIST'])
    assert reply(s)[0] == 0
fourth = connect()
request(fourth, T['API_LIST'])
fourth.settimeout(1)
try:
    fourth.recv(16)
    raise AssertionError('a fourth client was served with --max-clients 3')
except socket.timeout:
    pass
first[0].close()
fourth.settimeout(5)
assert reply(fourth)[0] == 0, 'the waiting client was not served after one left'
for s in first[1:] + [fourth]:
    s.close()

# a subscriber that keeps writing: dropped after one request's worth (about 1 MiB)
s = connect()
request(s, T['API_EVENTS'])
assert reply(s)[0] == 0
sent = 0
try:
    for i in range(64):
        s.sendall(b'\0' * 65536)
        sent += 65536
    s.settimeout(5)
    assert s.recv(16) == b'', 'still connected'
except (BrokenPipeError, ConnectionResetError):
    pass
assert sent <= 2 << 20, 'shojid took %d bytes from a subscriber without dropping it' % sent
s.close()

# a subscriber that reads nothing while 8,000 pause/unpause pairs happen
before = rss_kib()
idle = connect(rcvbuf=4096)
request(idle, T['API_EVENTS'])
time.sleep(0.2)
c = connect()
t0 = time.time()
for i in range(8000):
    request(c, T['API_PAUSE'], b'cl')
    assert reply(c)[0] == 0
    request(c, T['API_UNPAUSE'], b'cl')
    assert reply(c)[0] == 0
grown = rss_kib() - before
print('16,000 events in %.1f s; shojid grew by %d KiB' % (time.time() - t0, grown))
idle.setblocking(False)
got = b''
try:
    while True:
        d = idle.recv(65536)
        if not d:
            break
        got += d
except BlockingIOError:
    raise AssertionError('the subscriber that read nothing is still connected')
except ConnectionResetError:
    pass
assert grown < 8 << 10, 'shojid grew by %d KiB' % grown
request(c, T['API_LIST'])
assert reply(c)[0] == 0
PY
grep -q "no more are accepted until one leaves (--max-clients)" "$SHOJI_TMP/shojid.log" || fail "the cap is not logged"
grep -q "sent more than a request without reading: dropped" "$SHOJI_TMP/shojid.log" || fail "the writer's drop is not logged"
grep -q "an events subscriber reads nothing" "$SHOJI_TMP/shojid.log" || fail "the reader's drop is not logged"
"$SHOJID" --max-clients 0 2>/dev/null
[ $? -eq 2 ] || fail "--max-clients 0 is not bad usage"
chmod 0666 "$SHOJID_SOCKET" # as a umask of 000 would leave it
chmod o+x "$SHOJI_TMP"        # and the way to it open
if setpriv --reuid=4242 --regid=4242 --clear-groups "$SHOJI" list >"$SHOJI_TMP/out" 2>&1; then
	fail "uid 4242 listed the domains: $(cat "$SHOJI_TMP/out")"
fi
grep -q "refused a client: uid 4242" "$SHOJI_TMP/shojid.log" || fail "the refusal is not logged"
shoji list | grep -q cl || fail "root is refused too"
echo "toolstack-clients: ok"
