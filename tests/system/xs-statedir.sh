#!/bin/sh
# Issue 15 #11: shoji-xenstored keeps its journal only in a state directory
# nobody else can change (owned by its uid, not writable by group or others,
# not itself a link) and never opens the journal through a link: a
# user-owned --state-dir with xenstore.log -> a root-owned file truncated it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

printf precious >"$SHOJI_TMP/victim"

# refused: exit status 1, one line naming the directory, the victim untouched
refused() { # refused DIR WHAT
	rm -f "$SHOJI_TMP/refused.err"
	timeout 10 "$XSD" --socket "$SHOJI_TMP/r.sock" --state-dir "$1" 2>"$SHOJI_TMP/refused.err"
	rc=$?
	[ $rc -eq 1 ] || fail "$2: exit status $rc, not 1"
	[ "$(wc -l <"$SHOJI_TMP/refused.err")" -eq 1 ] || fail "$2: $(cat "$SHOJI_TMP/refused.err")"
	grep -q "$1" "$SHOJI_TMP/refused.err" || fail "$2: $(cat "$SHOJI_TMP/refused.err")"
	[ ! -e "$SHOJI_TMP/r.sock" ] || fail "$2: the socket was created"
	[ "$(cat "$SHOJI_TMP/victim")" = precious ] || fail "$2: the victim file changed"
}

mkdir -m 0777 "$SHOJI_TMP/open"
refused "$SHOJI_TMP/open" "a directory writable by others"
mkdir -m 0770 "$SHOJI_TMP/group"
refused "$SHOJI_TMP/group" "a directory writable by its group"
mkdir -m 0700 "$SHOJI_TMP/good"
ln -s "$SHOJI_TMP/good" "$SHOJI_TMP/link"
refused "$SHOJI_TMP/link" "a state directory that is a symbolic link"
mkdir -m 0700 "$SHOJI_TMP/linked-log"
ln -s "$SHOJI_TMP/victim" "$SHOJI_TMP/linked-log/xenstore.log"
refused "$SHOJI_TMP/linked-log" "xenstore.log a symbolic link"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 0700 "$SHOJI_TMP/theirs"
	chown nobody "$SHOJI_TMP/theirs"
	refused "$SHOJI_TMP/theirs" "a directory owned by another user"
else
	echo "not root: the other-owner case is not run"
fi

# a proper directory works (and so does the default mode mkdir gives it)
XS_STATE="$SHOJI_TMP/good"
xs_start
xs write /ok yes || fail "daemon in a good state directory"
echo "xs-statedir: ok"
