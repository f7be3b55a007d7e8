#!/bin/sh
# vcpu-list and vcpu-pin (issue 16, item 6): the vCPU's host thread, the CPU it is on and
# its affinity, set through shoji-hv (which owns the threads).  Runs on hvsim: a domain
# that was unpaused has a vCPU thread (its vCPU fails at once, on_crash=preserve keeps it),
# a paused one that never ran has none.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

expect_rc() {
	local want=$1 rc=0
	shift
	shoji "$@" >"$SHOJI_TMP/out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || fail "shoji $*: exit $rc, not $want: $(cat "$SHOJI_TMP/out")"
}
json() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$SHOJI_TMP/out" "$1"
}
ncpus=$(getconf _NPROCESSORS_CONF)

ts_start_sim
shoji create -p "$(ts_xml ran "$GUESTS/idle" "" destroy restart preserve)" >/dev/null || fail "create ran"
shoji create -p "$(ts_xml never "$GUESTS/idle")" >/dev/null || fail "create never"
shoji unpause ran >/dev/null || fail "unpause ran"
tries=100
until shoji info ran 2>/dev/null | grep -q '^State: *crashed$'; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "ran never crashed: $(shoji info ran 2>&1)"
	sleep 0.1
done

expect_rc 0 vcpu-list --json ran
tid=$(json 'j[0]["thread"]')
[ "$(json '[(d["name"], d["vcpu"], d["state"]) for d in j]')" = "[('ran', 0, 'crashed')]" ] ||
	fail "vcpu-list --json ran: $(cat "$SHOJI_TMP/out")"
[ -n "$tid" ] && [ "$tid" != None ] || fail "no thread: $(cat "$SHOJI_TMP/out")"
# The thread is shoji-hv's (here hvsim-serve's), and the kernel agrees on its CPUs.
[ "$(json 'j[0]["affinity"]')" = "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$tid/status")" ] ||
	fail "affinity $(json 'j[0]["affinity"]') vs /proc/$tid/status"
[ "$(json 'j[0]["cpu"]')" -ge 0 ] && [ "$(json 'j[0]["cpu"]')" -lt "$ncpus" ] || fail "cpu: $(cat "$SHOJI_TMP/out")"
expect_rc 0 vcpu-list never
grep -q '^never  *[0-9]*  *0  *-  *-  *paused ' "$SHOJI_TMP/out" || fail "vcpu-list never: $(cat "$SHOJI_TMP/out")"
expect_rc 0 vcpu-list
grep -q "^ran .* $tid " "$SHOJI_TMP/out" && grep -q '^never ' "$SHOJI_TMP/out" || fail "vcpu-list: $(cat "$SHOJI_TMP/out")"
expect_rc 3 vcpu-list nosuch

# vcpu-pin: the thread's affinity changes; refusals in one line
expect_rc 0 vcpu-pin ran 0 0
grep -q "^Domain 'ran': vCPU 0 pinned to CPUs 0$" "$SHOJI_TMP/out" || fail "vcpu-pin: $(cat "$SHOJI_TMP/out")"
[ "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$tid/status")" = 0 ] || fail "the thread was not pinned: $(grep Cpus_allowed_list "/proc/$tid/status")"
expect_rc 0 vcpu-list --json ran
[ "$(json 'j[0]["affinity"]')" = 0 ] || fail "vcpu-list after pin: $(cat "$SHOJI_TMP/out")"
expect_rc 0 vcpu-pin ran 0 all
[ "$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$tid/status")" = "0-$((ncpus - 1))" ] ||
	[ "$ncpus" = 1 ] || fail "vcpu-pin all: $(grep Cpus_allowed_list "/proc/$tid/status")"
expect_rc 1 vcpu-pin ran 0 "$ncpus"
grep -q "no CPU $ncpus" "$SHOJI_TMP/out" && [ "$(wc -l <"$SHOJI_TMP/out")" = 1 ] || fail "pin to a missing CPU: $(cat "$SHOJI_TMP/out")"
for bad in 1-0 0, ,0 x 0-1-2 -1; do
	expect_rc 1 vcpu-pin ran 0 "$bad"
	grep -q "not a CPU list" "$SHOJI_TMP/out" || fail "vcpu-pin '$bad': $(cat "$SHOJI_TMP/out")"
done
expect_rc 1 vcpu-pin ran 1 0
grep -q "has vCPUs 0 .. 0" "$SHOJI_TMP/out" || fail "vcpu-pin of a missing vCPU: $(cat "$SHOJI_TMP/out")"
expect_rc 1 vcpu-pin never 0 0
grep -q "no thread yet" "$SHOJI_TMP/out" || fail "vcpu-pin before the vCPU ran: $(cat "$SHOJI_TMP/out")"
expect_rc 2 vcpu-pin ran x 0
expect_rc 2 vcpu-pin ran 0
expect_rc 3 vcpu-pin nosuch 0 0
echo "toolstack-vcpu: all checks passed"
