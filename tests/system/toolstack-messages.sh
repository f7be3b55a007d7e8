#!/bin/sh
# What shojid says when a command names the wrong domain or asks too much
# (issue 16, item 3): a defined domain that is not running is called that,
# a mistyped name gets the closest one shojid knows, define names the
# domain, and vcpu-set says where its maximum comes from.  Runs shojid on
# hvsim, so no /dev/kvm is needed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
ts_start_sim

# expect_fail WANT CMD...: CMD fails with one line, "shoji: " (and what it acted on) then WANT.
expect_fail() {
	local want=$1 got
	shift
	if shoji "$@" >"$SHOJI_TMP/out" 2>&1; then
		fail "shoji $*: succeeded"
	fi
	got=$(cat "$SHOJI_TMP/out")
	[ "$(wc -l <"$SHOJI_TMP/out")" -eq 1 ] || fail "shoji $*: more than one line: $got"
	case $got in
	"shoji: $want" | "shoji: "*": $want") ;;
	*) fail "shoji $*: said '$got', not '$want'" ;;
	esac
}

x=$(ts_xml alpha "$GUESTS/idle")
shoji define "$x" >"$SHOJI_TMP/out" 2>&1 || fail "define: $(cat "$SHOJI_TMP/out")"
[ "$(cat "$SHOJI_TMP/out")" = "Domain 'alpha' defined from $x" ] || fail "define said: $(cat "$SHOJI_TMP/out")"
shoji create -p "$(ts_xml beta "$GUESTS/idle")" >"$SHOJI_TMP/out" 2>&1 || fail "create: $(cat "$SHOJI_TMP/out")"

for cmd in pause unpause mem-set vcpu-set dmesg destroy; do
	case $cmd in
	mem-set) arg=16M ;;
	vcpu-set) arg=1 ;;
	*) arg="" ;;
	esac
	# shellcheck disable=SC2086 # no argument when empty
	expect_fail "domain 'alpha' is not running (start it: shoji start alpha)" $cmd alpha $arg
	# shellcheck disable=SC2086
	expect_fail "no domain named 'bta' (did you mean 'beta'?)" $cmd bta $arg
done
expect_fail "no domain named 'alpah' (did you mean 'alpha'?)" pause alpah
expect_fail "no domain named 'zzzzzz'" pause zzzzzz
expect_fail "N must be 1 .. 1: 'beta' may have at most the 1 vCPUs its <vcpu> gives" \
	vcpu-set beta 2
shoji destroy beta >/dev/null 2>&1 || fail "destroy beta"
echo "toolstack-messages: all checks passed"
