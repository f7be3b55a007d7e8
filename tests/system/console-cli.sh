#!/bin/sh
# `shoji console` as a user meets it (issue 16, item 2), without KVM: a stand-in for
# shoji-consoled's socket (RUN/console/ID.sock: the guest's buffered output, then an
# echo of what is typed) and shojid on hvsim for a domain that has shut down.
#  - stdin not a terminal: what it holds reaches the guest and its end ends the session;
#  - --escape '^P' detaches on Ctrl-P (nothing after it is sent); a bad --escape is a
#    usage error;
#  - on a terminal, a guest's bare \n is shown as CR LF (no staircase);
#  - a shut-down domain is refused with one line;
#  - shojid --group hands the group to shoji-consoled.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

RUN="$SHOJI_TMP/fake-run"
mkdir -p "$RUN/console"
# The stand-in: per connection, send the guest's lines (bare \n) and echo what comes
# back as "got:" lines; everything received is appended to $RUN/typed.
python3 - "$RUN/console/7.sock" "$RUN/typed" <<'PYEOF' &
import os, socket, sys, threading
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(4)
def send(c, b):
    try:
        c.sendall(b)
    except OSError:  # the client has gone; what it sent is still to be read
        pass
def serve(c):
    send(c, b"guest line one\nguest line two\n")
    while True:
        d = c.recv(4096)
        if not d:
            break
        with open(sys.argv[2], "ab") as f:
            f.write(d)
        send(c, b"got:" + d.replace(b"\n", b"") + b"\n")
    c.close()
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PYEOF
track_pid $!
wait_for_path "$RUN/console/7.sock" 10

# stdin from a pipe: the session ends by itself once input has ended and the guest is quiet.
printf 'hello\n' | timeout 10 "$SHOJI" console --run-dir "$RUN" 7 >"$SHOJI_TMP/pipe.out" 2>"$SHOJI_TMP/pipe.err"
rc=$?
[ $rc -eq 0 ] || fail "shoji console with piped stdin exited $rc (124: it never ended): $(cat "$SHOJI_TMP/pipe.err")"
grep -q '^guest line two$' "$SHOJI_TMP/pipe.out" || fail "no guest output: $(cat "$SHOJI_TMP/pipe.out")"
grep -q '^got:hello$' "$SHOJI_TMP/pipe.out" || fail "the guest's answer to the input is missing: $(cat "$SHOJI_TMP/pipe.out")"
# ... and with stdin at its end from the start.
timeout 10 "$SHOJI" console --run-dir "$RUN" 7 </dev/null >"$SHOJI_TMP/null.out" 2>&1 ||
	fail "shoji console </dev/null did not end: $(cat "$SHOJI_TMP/null.out")"
grep -q '^guest line one$' "$SHOJI_TMP/null.out" || fail "no guest output with </dev/null"

# --escape: Ctrl-P detaches; what follows it is not sent.
: >"$RUN/typed"
printf 'abc\020def\n' | timeout 10 "$SHOJI" console --run-dir "$RUN" --escape '^P' 7 >/dev/null 2>&1 ||
	fail "shoji console --escape '^P' failed"
sleep 0.2
[ "$(cat "$RUN/typed")" = abc ] || fail "--escape '^P': the guest got '$(cat "$RUN/typed")', not 'abc'"
# Ctrl-] is no longer the escape then: it reaches the guest.
: >"$RUN/typed"
printf 'x\035y\020' | timeout 10 "$SHOJI" console --run-dir "$RUN" --escape '^p' 7 >/dev/null 2>&1 ||
	fail "shoji console --escape '^p' failed"
sleep 0.2
[ "$(od -An -c "$RUN/typed" | tr -d ' ')" = 'x035y' ] || fail "--escape '^p': the guest got $(od -An -c "$RUN/typed")"
for bad in '' xy '^1' '^ab' 'é'; do
	"$SHOJI" console --run-dir "$RUN" --escape "$bad" 7 </dev/null >/dev/null 2>"$SHOJI_TMP/bad.err"
	rc=$?
	[ $rc -eq 2 ] || fail "--escape '$bad' exited $rc, not 2"
	grep -q -- "--escape takes one character or ^X" "$SHOJI_TMP/bad.err" ||
		fail "--escape '$bad': $(cat "$SHOJI_TMP/bad.err")"
done

# On a terminal (script(1) gives it one): bare newlines are shown as CR LF; Ctrl-] detaches.
(sleep 1; printf '\035') | timeout 20 script -qec "$SHOJI console --run-dir $RUN 7" /dev/null >"$SHOJI_TMP/tty.out" 2>&1 ||
	fail "shoji console on a terminal did not detach on Ctrl-]: $(cat "$SHOJI_TMP/tty.out")"
grep -q "Escape character is '^\]'" "$SHOJI_TMP/tty.out" || fail "no banner on a terminal: $(cat "$SHOJI_TMP/tty.out")"
grep -q "$(printf 'guest line one\r$')" "$SHOJI_TMP/tty.out" && grep -q "$(printf 'guest line two\r$')" "$SHOJI_TMP/tty.out" ||
	fail "the guest's lines were not shown with CR LF: $(od -c "$SHOJI_TMP/tty.out" | head -8)"

# A domain that has shut down (kept by on_poweroff=preserve) is refused with one line.
ts_start_sim --group nogroup --consoled-bin "$top_builddir/pv-drivers/dom0/consoled/shoji-consoled"
shoji create -p "$(ts_xml off "$GUESTS/idle" "" preserve)" >/dev/null || fail "create off"
sim_guest shutdown "$(ts_id off)" 0
tries=100
while ! shoji info off 2>/dev/null | grep -q '^State: *shutdown$'; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "off never shut down"
	sleep 0.1
done
timeout 10 "$SHOJI" console off </dev/null >"$SHOJI_TMP/off.out" 2>"$SHOJI_TMP/off.err"
rc=$?
[ $rc -eq 1 ] || fail "console on a shut-down domain exited $rc: $(cat "$SHOJI_TMP/off.err")"
[ "$(wc -l <"$SHOJI_TMP/off.err")" -eq 1 ] && grep -q "domain 'off' has shut down" "$SHOJI_TMP/off.err" ||
	fail "console on a shut-down domain said: $(cat "$SHOJI_TMP/off.err")"

# shojid --group: shoji-consoled runs with the same group (its sockets are 0660 in it).
tries=100
while ! [ -f "$TS_STATE/shoji-consoled.pid" ]; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "shojid did not start shoji-consoled: $(cat "$SHOJI_TMP/shojid.log")"
	sleep 0.1
done
tr '\0' ' ' <"/proc/$(cat "$TS_STATE/shoji-consoled.pid")/cmdline" | grep -q -- '--group nogroup' ||
	fail "shoji-consoled runs without --group: $(tr '\0' ' ' <"/proc/$(cat "$TS_STATE/shoji-consoled.pid")/cmdline")"
echo "PASS console-cli"
