#!/bin/sh
# Debian's GRUB (grub-xen-bin's i386-xen_pvh) booted under shojid: a 32-bit
# guest nobody here wrote.  Its start-up makes 32-bit hypercalls (memory map,
# HVM params, add_to_physmap of the grant table and shared_info); then its
# embedded configuration prints a marker on the PV console, lists its
# devices and halts (SCHEDOP_shutdown poweroff).  The marker must reach
# shoji-consoled's log and the domain must power off by itself.  Then the
# same image under `shoji-hv run`.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/lib/debian.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

cat >"$SHOJI_TMP/embedded.cfg" <<'CFG'
echo SHOJI-GRUB-BOOT-MARKER
ls
halt
CFG
grub_pvh_image "$SHOJI_TMP/grub.elf" "$SHOJI_TMP/embedded.cfg"

ts_start
x=$(ts_xml grub "$SHOJI_TMP/grub.elf" "" destroy destroy preserve 64)
shoji create "$x" >"$SHOJI_TMP/out" 2>&1 || fail "create: $(cat "$SHOJI_TMP/out")"
id=$(ts_id grub)
[ -n "$id" ] || fail "grub is not listed: $(shoji list)"
log="$SHOJI_TMP/log/grub.log"
# GRUB runs in KVM's instruction emulator on the development hosts: allow minutes.
tries=3000
while [ "$tries" -gt 0 ]; do
	grep -q SHOJI-GRUB-BOOT-MARKER "$log" 2>/dev/null && break
	if shoji dmesg grub 2>/dev/null | grep -q 'System halted'; then
		shoji dmesg grub >&2
		fail "GRUB panicked early (its port 0xE9 messages are above)"
	fi
	sleep 0.1
	tries=$((tries - 1))
done
[ "$tries" -gt 0 ] || { shoji dmesg grub >&2; ts_log; fail "no GRUB marker on the console after 300 s"; }
ts_wait_gone grub "$id" 300 || fail "GRUB printed its marker but did not power off: $(shoji list)"
echo "debian-grub-boot: GRUB's i386-xen_pvh printed its marker and powered off"

# The same image in run mode: shoji-hv serves its console ring (the marker
# reaches stdout) and its store ring (every request ENOENT, so GRUB's device
# scan finds nothing instead of waiting forever); `halt` is a poweroff: exit 0.
rc=0
timeout 120 "$top_builddir/hypervisor/shoji-hv" run "$SHOJI_TMP/grub.elf" --memory 64 \
	</dev/null >"$SHOJI_TMP/run.out" 2>"$SHOJI_TMP/run.err" || rc=$?
grep -q SHOJI-GRUB-BOOT-MARKER "$SHOJI_TMP/run.out" ||
	fail "shoji-hv run: no GRUB marker (exit $rc): $(tail -c 400 "$SHOJI_TMP/run.out") $(cat "$SHOJI_TMP/run.err")"
[ "$rc" -eq 0 ] || fail "shoji-hv run: GRUB printed its marker but exited $rc, not 0 (poweroff)"
echo "debian-grub-boot: and under shoji-hv run, with its console and store rings served"
