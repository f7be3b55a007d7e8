#!/bin/sh
# Durability: every acknowledged write survives kill -9 of the daemon.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

xs_start
# a writer records each key once its write was acknowledged; kill -9 mid-stream
xs_py "$SHOJI_TMP/acked" <<'PY' &
s = connect()
acked = open(ARGS[0], 'w')
t, p = call(s, 6, b'\0')
tx = int(p[:-1])
call(s, 11, b'/tx/a\0in-tx', tx)
call(s, 11, b'/tx/b\0in-tx', tx)
t, p = call(s, 7, b'T\0', tx)
assert t == 7, p
acked.write('/tx/a\n/tx/b\n'); acked.flush()
i = 0
try:
    while True:
        t, p = call(s, 11, b'/k/%d\0value-%d' % (i, i))
        if t != 11:
            break
        acked.write('/k/%d\n' % i)
        acked.flush()
        i += 1
except (EOFError, OSError):
    pass
PY
wpid=$!
tries=0
while [ ! -f "$SHOJI_TMP/acked" ] || [ "$(wc -l <"$SHOJI_TMP/acked")" -lt 2000 ]; do
	sleep 0.05
	tries=$((tries + 1))
	[ $tries -lt 400 ] || fail "writer made no progress"
done
kill -9 "$XS_PID"
wait "$wpid" 2>/dev/null
n=$(wc -l <"$SHOJI_TMP/acked")
echo "killed the daemon after $n acknowledged writes"
xs_start
missing=0
xs read $(cat "$SHOJI_TMP/acked") >"$SHOJI_TMP/values" 2>"$SHOJI_TMP/err" || missing=1
[ $missing -eq 0 ] || { head "$SHOJI_TMP/err"; fail "acknowledged writes lost after kill -9"; }
[ "$(head -n 1 "$SHOJI_TMP/values")" = in-tx ] || fail "transaction lost"
# and a clean restart after more changes (the log keeps appending)
xs rm /k || fail "rm"
kill "$XS_PID"
wait "$XS_PID" 2>/dev/null
xs_start
xs exists /k && fail "rm not persistent"
[ "$(xs read /tx/b)" = in-tx ] || fail "state after a second restart"
echo "xs-restart: ok ($n writes)"
