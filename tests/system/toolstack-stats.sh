#!/bin/sh
# What xl/virsh users reach for (issue 16, item 6), statistics and control: host-info,
# domstats, top, sysrq, mem-max; and two messages of item 3 (shutdown --force that
# destroys says so; the reboot --wait timeout does not suggest --force, which reboot
# refuses).  Runs shojid on hvsim, so no /dev/kvm is needed.
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

# host-info needs no daemon.
expect_rc 0 host-info --json
[ "$(json 'j["cpus"]')" = "$(getconf _NPROCESSORS_ONLN)" ] || fail "host-info cpus: $(cat "$SHOJI_TMP/out")"
total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
[ "$(json 'j["memory_kib"]')" = "$total" ] || fail "host-info memory: $(cat "$SHOJI_TMP/out")"
[ "$(json '0 < j["free_memory_kib"] <= j["memory_kib"]')" = True ] || fail "host-info free memory"
[ "$(json 'j["limits"]["max_vcpus"]')" = 32 ] || fail "host-info limits: $(cat "$SHOJI_TMP/out")"
[ "$(json 'j["limits"]["max_memory_kib"]')" = 3145728 ] || fail "host-info limits: $(cat "$SHOJI_TMP/out")"
if [ -e /dev/kvm ]; then
	[ "$(json 'j["kvm"]["available"] and j["kvm"]["api_version"] == 12 and j["kvm"]["capabilities"]["max_vcpus"] > 0')" = True ] ||
		fail "host-info kvm: $(cat "$SHOJI_TMP/out")"
else
	[ "$(json 'j["kvm"]')" = "{'available': False, 'reason': 'no /dev/kvm'}" ] ||
		fail "host-info without kvm: $(cat "$SHOJI_TMP/out")"
	expect_rc 0 host-info
	grep -q '^kvm: *no (no /dev/kvm)$' "$SHOJI_TMP/out" || fail "host-info: $(cat "$SHOJI_TMP/out")"
fi
expect_rc 0 host-info
grep -q "^cpus: *$(getconf _NPROCESSORS_ONLN) " "$SHOJI_TMP/out" &&
	grep -q "^total memory: *$((total / 1024)) MiB$" "$SHOJI_TMP/out" &&
	grep -q '^max vcpus per domain: *32$' "$SHOJI_TMP/out" || fail "host-info: $(cat "$SHOJI_TMP/out")"
expect_rc 2 host-info extra
expect_rc 2 host-info --bogus

ts_start_sim
shoji create -p "$(ts_xml s1 "$GUESTS/idle" "" destroy restart destroy 32)" >/dev/null || fail "create s1"
shoji create -p "$(ts_xml s2 "$GUESTS/idle")" >/dev/null || fail "create s2"
ID1=$(ts_id s1)

# domstats: all, some, JSON, unknown names
expect_rc 0 domstats
grep -q "^Domain: 's1'$" "$SHOJI_TMP/out" && grep -q "^Domain: 's2'$" "$SHOJI_TMP/out" &&
	grep -q '^  balloon.maximum=32768$' "$SHOJI_TMP/out" && grep -q '^  state.state=paused$' "$SHOJI_TMP/out" &&
	grep -q '^  vcpu.maximum=1$' "$SHOJI_TMP/out" && grep -q '^  cpu.time=[0-9]*$' "$SHOJI_TMP/out" ||
	fail "domstats: $(cat "$SHOJI_TMP/out")"
expect_rc 0 domstats --json "$ID1"
[ "$(json '[(d["name"], d["id"], d["max_memory_kib"], d["state"], d["uptime_s"] < 60) for d in j]')" = "[('s1', $ID1, 32768, 'paused', True)]" ] ||
	fail "domstats --json $ID1: $(cat "$SHOJI_TMP/out")"
expect_rc 0 --json domstats s2
[ "$(json '[d["name"] for d in j]')" = "['s2']" ] || fail "--json domstats s2: $(cat "$SHOJI_TMP/out")"
expect_rc 3 domstats s1 nosuch
grep -q "no running domain 'nosuch'" "$SHOJI_TMP/out" || fail "domstats nosuch: $(cat "$SHOJI_TMP/out")"

# top: batch lines, JSON refreshes, option checks
expect_rc 0 top --batch --iterations 2 --delay 0.2
[ "$(grep -c '^NAME ' "$SHOJI_TMP/out")" = 2 ] && [ "$(grep -c '^s1  *[0-9]* paused ' "$SHOJI_TMP/out")" = 2 ] ||
	fail "top --batch: $(cat "$SHOJI_TMP/out")"
grep -q '\[' "$SHOJI_TMP/out" && fail "top --batch cleared the screen"
expect_rc 0 top --json --iterations 3 --delay 0.1
[ "$(wc -l <"$SHOJI_TMP/out")" = 3 ] || fail "top --json: $(cat "$SHOJI_TMP/out")"
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    d = {x["name"]: x for x in j["domains"]}
    assert set(d) == {"s1", "s2"}, d
    assert d["s1"]["max_memory_kib"] == 32768 and d["s1"]["vcpus"] == 1, d
    assert 0 <= d["s1"]["cpu_percent"] <= 100, d' "$SHOJI_TMP/out" || fail "top --json: $(cat "$SHOJI_TMP/out")"
expect_rc 2 top --iterations 0
expect_rc 2 top --delay 0
expect_rc 2 top --delay x
expect_rc 2 top s1

# sysrq: control/sysrq gets the key; one printable character only
expect_rc 0 sysrq s1 h
grep -q "^Domain 's1': sysrq 'h' sent$" "$SHOJI_TMP/out" || fail "sysrq: $(cat "$SHOJI_TMP/out")"
[ "$(xs read "/local/domain/$ID1/control/sysrq")" = h ] || fail "control/sysrq: $(xs read "/local/domain/$ID1/control/sysrq")"
expect_rc 2 sysrq s1 hh
expect_rc 2 sysrq s1 ' '
expect_rc 2 sysrq s1 ''
expect_rc 3 sysrq nosuch h

# mem-max: between the target and the memory built; mem-set above it names mem-max
expect_rc 0 mem-set s1 16M
expect_rc 0 mem-max s1 24M
[ "$(xs read "/local/domain/$ID1/memory/static-max")" = 24576 ] || fail "static-max after mem-max"
shoji dumpxml s1 | grep -q "<memory unit=.KiB.>24576</memory>" || fail "dumpxml after mem-max: $(shoji dumpxml s1 | grep -i memory)"
expect_rc 1 mem-set s1 28M
[ "$(wc -l <"$SHOJI_TMP/out")" = 1 ] && grep -q "mem-max" "$SHOJI_TMP/out" || fail "mem-set above the maximum: $(cat "$SHOJI_TMP/out")"
expect_rc 1 mem-max s1 64M
grep -q "built with 32768 KiB" "$SHOJI_TMP/out" || fail "mem-max above the build: $(cat "$SHOJI_TMP/out")"
expect_rc 1 mem-max s1 8M
grep -q "mem-set" "$SHOJI_TMP/out" || fail "mem-max below the target: $(cat "$SHOJI_TMP/out")"
expect_rc 0 mem-max s1 32M
expect_rc 2 mem-max s1 lots

# shutdown --force on a paused domain: it is destroyed, and says so
expect_rc 0 shutdown --force --timeout 1 s2
grep -q "destroyed" "$SHOJI_TMP/out" && ! grep -q "shut down\$" "$SHOJI_TMP/out" ||
	fail "shutdown --force: $(cat "$SHOJI_TMP/out")"
# reboot --wait times out without suggesting --force (reboot refuses it)
expect_rc 5 reboot --wait --timeout 1 s1
grep -q "did not reboot" "$SHOJI_TMP/out" && ! grep -q -- "--force" "$SHOJI_TMP/out" ||
	fail "reboot --wait timeout: $(cat "$SHOJI_TMP/out")"
expect_rc 5 shutdown --wait --timeout 1 s1
grep -q -- "--force destroys it" "$SHOJI_TMP/out" || fail "shutdown --wait timeout: $(cat "$SHOJI_TMP/out")"
echo "toolstack-stats: all checks passed"
