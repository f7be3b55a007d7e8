# Shared set-up of the guest-ring tests (tests/system/xs-ring-*.sh): a private shoji-hv and a
# shoji-xenstored serving guest rings through it.  Source after common.sh and require_kvm.
. "$top_srcdir/tests/dom0/dom0-lib.sh"
XSD="$top_builddir/xenstore/shoji-xenstored"
XSCLI="$top_builddir/xenstore/shoji-xenstore"
RUN="$top_builddir/tests/dom0/xs-ring-run"
XS_GUEST="$top_builddir/tests/guests/xs-guest"
XS_SOCK="$SHOJI_TMP/xs.sock"
XS_PID="$SHOJI_TMP/xsd.pid"
export XSD XSCLI XS_SOCK XS_PID SOCK SHOJI_TMP
for f in "$XSD" "$XSCLI" "$RUN" "$XS_GUEST"; do
	[ -x "$f" ] || fail "$f is not built"
done

# Start (or restart) the daemon; its pid is kept in $XS_PID (a hook may restart it).
xsd_start() {
	rm -f "$XS_SOCK"
	"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/xs-state" --hv-socket "$SOCK" \
		--pidfile "$XS_PID" </dev/null >>"$SHOJI_TMP/xsd.err" 2>&1 &
	wait_for_path "$XS_SOCK" 10
}

xs() {
	timeout 10 "$XSCLI" --socket "$XS_SOCK" "$@"
}

xsd_alive() {
	kill -0 "$(cat "$XS_PID")" 2>/dev/null || fail "shoji-xenstored died: $(cat "$SHOJI_TMP/xsd.err")"
}

xs_ring_cleanup() {
	[ -f "$XS_PID" ] && kill "$(cat "$XS_PID")" 2>/dev/null
	shoji_cleanup
}
trap xs_ring_cleanup EXIT

# The hook the Dom0 helper runs when a guest asks: hook WORD DOMID.
HOOK="$SHOJI_TMP/hook.sh"
cat >"$HOOK" <<'HOOK_EOF'
#!/bin/sh
xs() { timeout 10 "$XSCLI" --socket "$XS_SOCK" "$@"; }
case "$1" in
write)
	# in the hostile test, the write waits until the hostile guest has been dealt with
	if [ -n "$XS_WAIT_FILE" ]; then
		n=0
		while [ ! -e "$XS_WAIT_FILE" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
	fi
	xs write "/local/domain/$2/data/w" from-dom0
	;;
restart)
	kill -9 "$(cat "$XS_PID")"
	sleep 0.3
	rm -f "$XS_SOCK"
	"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/xs-state" --hv-socket "$SOCK" \
		--pidfile "$XS_PID" </dev/null >>"$SHOJI_TMP/xsd.err" 2>&1 &
	n=0
	while [ ! -e "$XS_SOCK" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	xs write "/local/domain/$2/data/after" 1
	;;
*)
	exit 1
	;;
esac
HOOK_EOF
chmod +x "$HOOK"

xsd_start
xs write /local/domain/0/secret dom0-only || fail "cannot write the dom0 node"
