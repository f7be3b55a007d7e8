#!/bin/sh
# What xl/virsh users reach for (issue 16, item 6), names and lists: domid, domname,
# domuuid, rename, the list filters, start time and uptime in list --long / info, and
# --all for shutdown and destroy.  Runs shojid on hvsim, so no /dev/kvm is needed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
ts_start_sim

# expect_rc RC CMD...: run shoji CMD..., output in $SHOJI_TMP/out, and check its exit status.
expect_rc() {
	local want=$1 rc=0
	shift
	shoji "$@" >"$SHOJI_TMP/out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || fail "shoji $*: exit $rc, not $want: $(cat "$SHOJI_TMP/out")"
}
# json EXPR: evaluate the Python expression EXPR on the JSON in $SHOJI_TMP/out (as j).
json() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$SHOJI_TMP/out" "$1"
}

shoji create -p "$(ts_xml alpha "$GUESTS/idle")" >/dev/null || fail "create alpha"
# beta runs: on hvsim no guest code can, so its vCPU fails at once and it stays crashed.
shoji create -p "$(ts_xml beta "$GUESTS/idle" "" destroy restart preserve)" >/dev/null || fail "create beta"
shoji define "$(ts_xml gamma "$GUESTS/idle")" >/dev/null || fail "define gamma"
shoji unpause beta >/dev/null || fail "unpause beta"
tries=100
until shoji info beta 2>/dev/null | grep -q '^State: *crashed$'; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "beta never crashed: $(shoji info beta 2>&1)"
	sleep 0.1
done
A=$(ts_id alpha)
[ -n "$A" ] || fail "alpha has no id"

# domid / domname / domuuid
expect_rc 0 domid alpha
[ "$(cat "$SHOJI_TMP/out")" = "$A" ] || fail "domid alpha: $(cat "$SHOJI_TMP/out"), not $A"
expect_rc 0 domname "$A"
[ "$(cat "$SHOJI_TMP/out")" = alpha ] || fail "domname $A: $(cat "$SHOJI_TMP/out")"
U=$(shoji info --json alpha | python3 -c 'import json, sys; print(json.load(sys.stdin)["uuid"])')
expect_rc 0 domuuid alpha
[ "$(cat "$SHOJI_TMP/out")" = "$U" ] || fail "domuuid alpha: $(cat "$SHOJI_TMP/out"), not $U"
expect_rc 0 domuuid "$A"
[ "$(cat "$SHOJI_TMP/out")" = "$U" ] || fail "domuuid $A: $(cat "$SHOJI_TMP/out")"
expect_rc 0 domuuid gamma # defined only: it has a uuid
expect_rc 1 domid gamma
grep -q "not running" "$SHOJI_TMP/out" || fail "domid gamma: $(cat "$SHOJI_TMP/out")"
expect_rc 3 domid nosuch
expect_rc 2 domname alpha
expect_rc 3 domname 4242

# list filters
expect_rc 0 list --state-paused
grep -q '^alpha ' "$SHOJI_TMP/out" && ! grep -q '^beta ' "$SHOJI_TMP/out" ||
	fail "list --state-paused: $(cat "$SHOJI_TMP/out")"
# (no domain can run on hvsim: neither the paused nor the crashed one is listed)
expect_rc 0 list --state-running
[ "$(wc -l <"$SHOJI_TMP/out")" = 1 ] || fail "list --state-running: $(cat "$SHOJI_TMP/out")"
expect_rc 0 list --state-shutoff
grep -q '^gamma .*shut off' "$SHOJI_TMP/out" && [ "$(wc -l <"$SHOJI_TMP/out")" = 2 ] ||
	fail "list --state-shutoff: $(cat "$SHOJI_TMP/out")"
expect_rc 0 list --state-paused --state-shutoff --json
[ "$(json 'sorted(d["name"] for d in j)')" = "['alpha', 'gamma']" ] ||
	fail "list --state-paused --state-shutoff --json: $(cat "$SHOJI_TMP/out")"
expect_rc 0 list --all --name 'g*' --json
[ "$(json '[d["name"] for d in j]')" = "['gamma']" ] || fail "list --name 'g*': $(cat "$SHOJI_TMP/out")"
expect_rc 0 list --uuid "$U" --json
[ "$(json '[d["name"] for d in j]')" = "['alpha']" ] || fail "list --uuid: $(cat "$SHOJI_TMP/out")"
expect_rc 2 list --uuid not-a-uuid
expect_rc 2 list --name

# start time and uptime: list --long, info, their JSON
expect_rc 0 list --long
grep -q "^alpha .* $U 20[0-9-]*T[0-9:]*Z  *00:00:[0-9][0-9]\$" "$SHOJI_TMP/out" ||
	fail "list --long: $(cat "$SHOJI_TMP/out")"
expect_rc 0 info --json alpha
[ "$(json 'j["uptime_s"] < 60 and j["start_time"].endswith("Z")')" = True ] ||
	fail "info --json: $(cat "$SHOJI_TMP/out")"
expect_rc 0 info alpha
grep -q '^Uptime: *00:00:' "$SHOJI_TMP/out" && grep -q '^Started: *20' "$SHOJI_TMP/out" ||
	fail "info: $(cat "$SHOJI_TMP/out")"
expect_rc 0 info --json gamma
[ "$(json 'j["uptime_s"] is None and j["start_time"] is None')" = True ] ||
	fail "info --json gamma: $(cat "$SHOJI_TMP/out")"
# The start time is kept across a restart of shojid (it is in the record).
S=$(shoji info --json alpha | python3 -c 'import json, sys; print(json.load(sys.stdin)["start_time"])')
stop_pids "$SHOJID_PID"
ts_start --no-spawn
[ "$(shoji info --json alpha | python3 -c 'import json, sys; print(json.load(sys.stdin)["start_time"])')" = "$S" ] ||
	fail "start time after a shojid restart: $(shoji info --json alpha)"

# rename: running, defined; refusals in one line
expect_rc 0 rename alpha alpha2
grep -q "^Domain 'alpha' renamed to 'alpha2'\$" "$SHOJI_TMP/out" || fail "rename: $(cat "$SHOJI_TMP/out")"
[ "$(shoji domid alpha2)" = "$A" ] || fail "domid alpha2"
[ "$(xs read "/local/domain/$A/name")" = alpha2 ] || fail "xenstore name: $(xs read "/local/domain/$A/name")"
expect_rc 3 domid alpha
shoji autostart gamma >/dev/null || fail "autostart gamma"
expect_rc 0 rename gamma delta
expect_rc 0 info delta
grep -q '^Autostart: *yes' "$SHOJI_TMP/out" || fail "the autostart mark did not follow: $(cat "$SHOJI_TMP/out")"
expect_rc 3 info gamma
expect_rc 1 rename alpha2 beta
[ "$(wc -l <"$SHOJI_TMP/out")" = 1 ] && grep -q "'beta' is in use" "$SHOJI_TMP/out" ||
	fail "rename to a running name: $(cat "$SHOJI_TMP/out")"
expect_rc 1 rename alpha2 delta
grep -q "'delta' is in use" "$SHOJI_TMP/out" || fail "rename to a defined name: $(cat "$SHOJI_TMP/out")"
expect_rc 2 rename alpha2 'bad/name'
expect_rc 2 rename alpha2 1234
expect_rc 3 rename nosuch other
# The record keeps the new name across a shojid restart.
stop_pids "$SHOJID_PID"
ts_start --no-spawn
[ "$(shoji domid alpha2)" = "$A" ] || fail "alpha2 after a shojid restart: $(shoji list 2>&1)"

# --all: every running domain, one line each; the definition stays
expect_rc 2 destroy --all alpha2
expect_rc 0 destroy --all
grep -q "^Domain 'alpha2' destroyed\$" "$SHOJI_TMP/out" && grep -q "^Domain 'beta' destroyed\$" "$SHOJI_TMP/out" ||
	fail "destroy --all: $(cat "$SHOJI_TMP/out")"
ts_wait_gone alpha2 "$A" 10 || fail "alpha2 still listed"
expect_rc 0 destroy --all
grep -q "^No running domains\$" "$SHOJI_TMP/out" || fail "destroy --all with none: $(cat "$SHOJI_TMP/out")"
shoji start -p delta >/dev/null || fail "start delta"
expect_rc 0 shutdown --all
grep -q "^Domain 'delta' shutdown requested\$" "$SHOJI_TMP/out" || fail "shutdown --all: $(cat "$SHOJI_TMP/out")"
[ "$(xs read "/local/domain/$(ts_id delta)/control/shutdown")" = poweroff ] || fail "control/shutdown not written"
expect_rc 2 reboot --all
echo "toolstack-ident: all checks passed"
