#!/bin/sh
# shoji-xenstore CLI and libshoji-xs against a private shoji-xenstored.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

xs_start
xs write /vm/1/name demo /vm/1/mem 512 || fail "write"
[ "$(xs read /vm/1/name)" = demo ] || fail "read"
[ "$(xs read /vm/1/name /vm/1/mem | tr '\n' ' ')" = "demo 512 " ] || fail "read two"
[ "$(xs list /vm/1 | tr '\n' ' ')" = "name mem " ] || fail "list keeps insertion order"
xs ls /vm >"$SHOJI_TMP/ls" || fail "ls"
printf '1 = ""\n name = "demo"\n mem = "512"\n' | cmp -s - "$SHOJI_TMP/ls" || {
	cat "$SHOJI_TMP/ls"; fail "ls output"; }
xs exists /vm/1/name || fail "exists"
if xs exists /vm/1/nope; then fail "exists of a missing node"; fi
xs chmod /vm/1/name r0 w5 || fail "chmod"
xs chmod /vm/1/name q5 2>/dev/null && fail "chmod accepted a bad permission"
[ $? -eq 2 ] || fail "chmod: bad permission is a usage error (2)"
xs read /vm/none 2>"$SHOJI_TMP/err" && fail "read of a missing node"
grep -q "No such file" "$SHOJI_TMP/err" || fail "read error message"
# watch: the initial event, then one per change
xs watch /vm/1 -n 3 >"$SHOJI_TMP/watch" &
wpid=$!
wait_nonempty "$SHOJI_TMP/watch"
xs write /vm/1/state running
xs rm /vm/1/mem
wait "$wpid" || fail "watch exited with an error"
printf '/vm/1\n/vm/1/state\n/vm/1/mem\n' | cmp -s - "$SHOJI_TMP/watch" || {
	cat "$SHOJI_TMP/watch"; fail "watch events"; }
xs rm /vm || fail "rm"
xs exists /vm && fail "rm left the node"
xs --help | grep -q "read" || fail "--help"
xs bogus 2>/dev/null
[ $? -eq 2 ] || fail "unknown command is a usage error"
SHOJI_XENSTORED_PATH="$XS_SOCK" "$XSCLI" write /env/ok 1 || fail "SHOJI_XENSTORED_PATH"
# a directory too big for one message goes through DIRECTORY_PART
xs_py <<'PY'
s = connect()
for i in range(600):
    t, p = call(s, 11, b'/huge/child-number-%05d\0' % i)
    assert t == 11, p
t, p = call(s, 1, b'/huge\0')
assert t == 16 and p == b'E2BIG\0', (t, p)
PY
[ "$(xs list /huge | wc -l)" -eq 600 ] || fail "list of a 600-child directory"
"$XSD" --help | grep -q quota || fail "daemon --help"
"$XSD" --bogus 2>/dev/null
[ $? -eq 2 ] || fail "daemon: bad usage exits 2"
# a quota below its lower bound is bad usage (issue 15 #13)
timeout 10 "$XSD" --socket "$SHOJI_TMP/q.sock" --state-dir "$SHOJI_TMP/q-state" \
	--quota path-max=0 2>"$SHOJI_TMP/q.err"
[ $? -eq 2 ] || fail "daemon: --quota path-max=0 did not exit 2"
grep -q "path-max must be at least 1024" "$SHOJI_TMP/q.err" || fail "--quota below bound: $(cat "$SHOJI_TMP/q.err")"
# --daemon detaches and writes the pid file; SIGTERM removes socket and pid file
"$XSD" --socket "$SHOJI_TMP/d.sock" --state-dir "$SHOJI_TMP/d-state" --daemon \
	--pidfile "$SHOJI_TMP/d.pid" || fail "--daemon"
wait_for_path "$SHOJI_TMP/d.pid" 10
dpid=$(cat "$SHOJI_TMP/d.pid")
track_pid "$dpid"
"$XSCLI" --socket "$SHOJI_TMP/d.sock" write /detached yes || fail "detached daemon"
kill "$dpid"
i=0
while [ -e "$SHOJI_TMP/d.pid" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ ! -e "$SHOJI_TMP/d.pid" ] && [ ! -e "$SHOJI_TMP/d.sock" ] || fail "clean exit after SIGTERM"
echo "xs-basic: ok"
