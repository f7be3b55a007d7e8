# Helpers for the toolstack tests (sourced after tests/lib/common.sh): a
# private shojid, which starts its own shoji-hv and shoji-xenstored, all on
# sockets under $SHOJI_TMP and stopped by PID at exit.
SHOJID="$top_builddir/dom0-tools/shojid/shojid"
SHOJI="$top_builddir/dom0-tools/cli/shoji"
XSCLI="$top_builddir/xenstore/cli/shoji-xenstore"
GUESTS="$top_builddir/tests/guests"
TS_STATE="$SHOJI_TMP/state"
TS_HV_SOCK="$SHOJI_TMP/hv.sock"
TS_XS_SOCK="$SHOJI_TMP/xs.sock"
SHOJID_SOCKET="$SHOJI_TMP/shojid.sock"
SHOJI_SCHEMA="$top_srcdir/dom0-tools/domxml/shoji-domain.rng"
export SHOJID_SOCKET SHOJI_SCHEMA
SHOJID_PID=""

for f in "$SHOJID" "$SHOJI" "$XSCLI" "$top_builddir/hypervisor/shoji-hv" \
	"$top_builddir/xenstore/xenstored/shoji-xenstored" "$top_builddir/pv-drivers/dom0/consoled/shoji-consoled" \
	"$GUESTS/hello" "$GUESTS/idle"; do
	[ -x "$f" ] || [ -f "$f" ] || fail "$f is not built"
done

# Start shojid (extra options passed on) and wait for its socket; the
# daemons it spawns are tracked through their pidfiles.
ts_start() {
	rm -f "$SHOJID_SOCKET"
	"$SHOJID" --socket "$SHOJID_SOCKET" --state-dir "$TS_STATE" \
		--hv-socket "$TS_HV_SOCK" --xs-socket "$TS_XS_SOCK" \
		--hv-bin "$top_builddir/hypervisor/shoji-hv" \
		--xs-bin "$top_builddir/xenstore/xenstored/shoji-xenstored" \
		--consoled-bin "$top_builddir/pv-drivers/dom0/consoled/shoji-consoled" \
		--blkback-bin "$top_builddir/pv-drivers/dom0/blkback/shoji-blkback" \
		--netback-bin "$top_builddir/pv-drivers/dom0/netback/shoji-netback" \
		--log-dir "$SHOJI_TMP/log" --run-dir "$SHOJI_TMP/run" \
		--schema "$SHOJI_SCHEMA" "$@" 2>>"$SHOJI_TMP/shojid.log" &
	SHOJID_PID=$!
	track_pid "$SHOJID_PID"
	wait_for_path "$SHOJID_SOCKET" 30
	return 0
}

# ts_start_sim [OPTIONS]: shojid (OPTIONS passed on) on hvsim (tests/sim/hvsim-serve,
# shoji-hv's code without KVM) and a private shoji-xenstored, for tests that need no
# guest code: domains are created paused (create -p) and never run.
ts_start_sim() {
	local serve="$top_builddir/tests/sim/hvsim-serve"
	[ -x "$serve" ] || fail "$serve is not built (make check builds it)"
	mkfifo "$SHOJI_TMP/hvsim.in"
	"$serve" "$SHOJI_TMP" <"$SHOJI_TMP/hvsim.in" >"$SHOJI_TMP/hvsim.out" 2>"$SHOJI_TMP/hvsim.err" &
	track_pid $!
	exec 8>"$SHOJI_TMP/hvsim.in" # held open: hvsim-serve reads the guest's actions (sim_guest)
	wait_for_path "$TS_HV_SOCK" 30
	mkdir -p "$SHOJI_TMP/xsstate"
	"$top_builddir/xenstore/xenstored/shoji-xenstored" --socket "$TS_XS_SOCK" \
		--state-dir "$SHOJI_TMP/xsstate" --hv-socket "$TS_HV_SOCK" 2>>"$SHOJI_TMP/xsd.log" &
	track_pid $!
	wait_for_path "$TS_XS_SOCK" 30
	ts_start --no-spawn "$@"
}

# sim_guest COMMAND...: under ts_start_sim, act as a domain's guest (tests/sim/hvsim-serve.c),
# e.g. `sim_guest shutdown ID REASON`; fails unless hvsim-serve answers "ok".
sim_guest() {
	local n tries=100
	n=$(wc -l <"$SHOJI_TMP/hvsim.out")
	echo "$*" >&8
	while [ "$(wc -l <"$SHOJI_TMP/hvsim.out")" -le "$n" ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	[ "$(tail -n 1 "$SHOJI_TMP/hvsim.out")" = ok ] || fail "sim_guest $*: $(tail -n 1 "$SHOJI_TMP/hvsim.out")"
}

# At exit: shojid first (it restarts the backends), then whatever the
# pidfiles name now, then the common clean-up.
ts_cleanup() {
	local p pids=""
	[ -n "$SHOJID_PID" ] && stop_pids "$SHOJID_PID"
	for p in shoji-consoled shoji-blkback shoji-netback shoji-xenstored shoji-hv; do
		[ -f "$TS_STATE/$p.pid" ] && pids="$pids $(cat "$TS_STATE/$p.pid")"
	done
	stop_pids $pids
	shoji_cleanup
}
trap ts_cleanup EXIT

shoji() { "$SHOJI" "$@"; }
xs() { "$XSCLI" --socket "$TS_XS_SOCK" "$@"; }

# ts_xml NAME KERNEL [CMDLINE] [ON_POWEROFF] [ON_REBOOT] [ON_CRASH] [MEMORY_MIB]: write NAME.xml.
ts_xml() {
	cat >"$SHOJI_TMP/$1.xml" <<XMLEOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>${7:-16}</memory>
  <os>
    <type>xenpvh</type>
    <kernel>$2</kernel>
    <cmdline>${3:-}</cmdline>
  </os>
  <on_poweroff>${4:-destroy}</on_poweroff>
  <on_reboot>${5:-restart}</on_reboot>
  <on_crash>${6:-destroy}</on_crash>
</domain>
XMLEOF
	echo "$SHOJI_TMP/$1.xml"
}

# The id of running domain NAME (empty when none).  A failing `shoji list` is said on
# stderr and returns 1 (callers' "empty" must not mean "shojid is dead").
ts_id() {
	local list
	list=$(shoji list) || { echo "ts_id: shoji list failed" >&2; return 1; }
	echo "$list" | awk -v n="$1" '$1 == n { print $2 }'
}

# Wait until `shoji list` no longer shows NAME with id ID (max $3 s, default 30).  A failing
# `shoji list` (shojid dead or not answering) is a failure, never "gone".
ts_wait_gone() {
	local tries=$(( ${3:-30} * 10 )) list
	while [ "$tries" -gt 0 ]; do
		list=$(shoji list) || { echo "ts_wait_gone: shoji list failed" >&2; return 1; }
		echo "$list" | awk -v n="$1" -v id="$2" '$1 == n && $2 == id { f = 1 } END { exit !f }' ||
			return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# Wait until `shoji dmesg NAME` shows a line matching $2.
ts_wait_console() {
	local tries=300
	while [ "$tries" -gt 0 ]; do
		shoji dmesg "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

ts_log() { cat "$SHOJI_TMP/shojid.log" >&2; }
