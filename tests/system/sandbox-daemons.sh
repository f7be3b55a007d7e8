#!/bin/sh
# Every Dom0 daemon runs under its seccomp filter (see docs/security.md): on hvsim (no KVM),
# shoji-xenstored, shojid --no-spawn --group nogroup, shoji-consoled, shoji-blkback and shoji-netback each show
# "Seccomp: 2" (filter mode) and "NoNewPrivs: 1" in /proc/PID/status once set up, keep serving
# (a xenstore write and read, a paused domain created and destroyed through shojid) and exit
# with status 0 on SIGTERM, not killed by SIGSYS on their way out.  --no-sandbox and
# SHOJI_NO_SANDBOX=1 each leave a daemon unfiltered.  A sanitizer build runs unfiltered by
# design (the daemon says "seccomp filter off: sanitizer build"): then only that is checked.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

CONSOLED="$top_builddir/pv-drivers/dom0/consoled/shoji-consoled"
BLKBACK="$top_builddir/pv-drivers/dom0/blkback/shoji-blkback"
NETBACK="$top_builddir/pv-drivers/dom0/netback/shoji-netback"
XSD="$top_builddir/xenstore/xenstored/shoji-xenstored"

# pid_of NAME: the process of ours (its command line names $SHOJI_TMP) whose program is NAME.
pid_of() {
	for d in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -q "$SHOJI_TMP" || continue
		exe=$(tr '\0' '\n' 2>/dev/null <"$d/cmdline" | head -n 1)
		case ${exe##*/} in "$1" | "lt-$1") echo "${d#/proc/}"; return 0 ;; esac
	done
	return 1
}
# status_of PID FIELD: a field of /proc/PID/status.
status_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

ts_start_sim --group nogroup
mkdir -p "$SHOJI_TMP/log" "$SHOJI_TMP/run" "$SHOJI_TMP/bb" "$SHOJI_TMP/nb"
"$CONSOLED" --xs-socket "$TS_XS_SOCK" --hv-socket "$TS_HV_SOCK" --log-dir "$SHOJI_TMP/log" \
	--run-dir "$SHOJI_TMP/run" 2>"$SHOJI_TMP/consoled.log" &
cons=$!
"$BLKBACK" --xs-socket "$TS_XS_SOCK" --hv-socket "$TS_HV_SOCK" --state-dir "$SHOJI_TMP/bb" \
	2>"$SHOJI_TMP/blkback.log" &
blk=$!
"$NETBACK" --xs-socket "$TS_XS_SOCK" --hv-socket "$TS_HV_SOCK" --state-dir "$SHOJI_TMP/nb" \
	2>"$SHOJI_TMP/netback.log" &
net=$!
track_pid "$cons"
track_pid "$blk"
track_pid "$net"
wait_for_path "$SHOJI_TMP/bb/shoji-blkback.pid" 10
wait_for_path "$SHOJI_TMP/nb/shoji-netback.pid" 10

want=2
if grep -q 'seccomp filter off: sanitizer build' "$SHOJI_TMP/xsd.log"; then
	echo "note: sanitizer build: the daemons run unfiltered, as they say"
	want=0
fi

# check NAME PID: NAME's filter is in force (or, sanitizer build, said to be off).
check() {
	kill -0 "$2" 2>/dev/null || fail "$1 ($2) is not running"
	# consoled has no ready file: give it the moment its set-up takes
	tries=50
	while [ "$(status_of "$2" Seccomp)" != "$want" ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	s=$(status_of "$2" Seccomp)
	[ "$s" = "$want" ] || fail "$1: Seccomp $s in /proc/$2/status, want $want"
	if [ "$want" = 2 ]; then
		[ "$(status_of "$2" NoNewPrivs)" = 1 ] || fail "$1: no_new_privs not set"
	fi
}
xsd=$(pid_of shoji-xenstored) || fail "no shoji-xenstored"
sd=$(pid_of shojid) || fail "no shojid"
check shoji-xenstored "$xsd"
check shojid "$sd"
check shoji-consoled "$cons"
check shoji-blkback "$blk"
check shoji-netback "$net"
if [ "$want" = 0 ]; then
	for l in consoled blkback netback; do
		[ "$(grep -c 'seccomp filter off: sanitizer build' "$SHOJI_TMP/$l.log")" = 1 ] ||
			fail "shoji-$l does not say its filter is off"
	done
fi

# They keep working under the filter.
xs write /sandbox/probe hello || fail "xenstore write"
[ "$(xs read /sandbox/probe)" = hello ] || fail "xenstore read"
shoji create -p "$(ts_xml sb "$GUESTS/idle")" >/dev/null 2>"$SHOJI_TMP/err" ||
	fail "create: $(cat "$SHOJI_TMP/err")"
id=$(ts_id sb)
[ -n "$id" ] || fail "sb does not run"
wait_for_path "$SHOJI_TMP/log/sb.log" 10 # consoled opened the domain's console log
shoji destroy sb >/dev/null 2>"$SHOJI_TMP/err" || fail "destroy: $(cat "$SHOJI_TMP/err")"
# A client of another user (nobody, with a primary group that is not shojid's --group but
# the group among its others): shojid looks its groups up through NSS (getpwuid,
# getgrouplist, whose modules it loaded before the filter) and lives on, whatever it answers.
if command -v setpriv >/dev/null 2>&1 && getent group nogroup >/dev/null &&
	getent passwd 65534 >/dev/null; then
	setpriv --reuid=65534 --regid=4242 --groups "$(getent group nogroup | cut -d: -f3)" \
		"$SHOJI" list >/dev/null 2>&1 || true
fi
shoji list >/dev/null 2>"$SHOJI_TMP/err" || fail "list after a --group client: $(cat "$SHOJI_TMP/err")"
for p in "$xsd" "$sd" "$cons" "$blk" "$net"; do
	kill -0 "$p" 2>/dev/null || fail "pid $p died while serving"
done

# ... and on their way out.
for p in "$cons" "$blk" "$net"; do
	kill "$p"
	rc=0
	wait "$p" || rc=$?
	[ "$rc" = 0 ] || fail "pid $p exited with status $rc on SIGTERM (159 is SIGSYS)"
done

# The switches: --no-sandbox, SHOJI_NO_SANDBOX=1.
mkdir -p "$SHOJI_TMP/x2" "$SHOJI_TMP/x3"
"$XSD" --socket "$SHOJI_TMP/x2.sock" --state-dir "$SHOJI_TMP/x2" --no-sandbox 2>"$SHOJI_TMP/x2.log" &
x2=$!
track_pid "$x2"
SHOJI_NO_SANDBOX=1 "$XSD" --socket "$SHOJI_TMP/x3.sock" --state-dir "$SHOJI_TMP/x3" \
	2>"$SHOJI_TMP/x3.log" &
x3=$!
track_pid "$x3"
wait_for_path "$SHOJI_TMP/x2.sock" 10
wait_for_path "$SHOJI_TMP/x3.sock" 10
grep -q 'seccomp filter off: --no-sandbox' "$SHOJI_TMP/x2.log" || fail "--no-sandbox not said"
grep -q 'seccomp filter off: SHOJI_NO_SANDBOX' "$SHOJI_TMP/x3.log" || fail "SHOJI_NO_SANDBOX not said"
[ "$(status_of "$x2" Seccomp)" = 0 ] || fail "--no-sandbox: filter installed"
[ "$(status_of "$x3" Seccomp)" = 0 ] || fail "SHOJI_NO_SANDBOX=1: filter installed"
echo "PASS: every daemon at Seccomp $want (2: filtered), serving, and exits cleanly"
