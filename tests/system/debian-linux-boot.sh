#!/bin/sh
# Debian's stock Linux (linux-image-cloud-amd64, 6.1) booted by shoji-hv run
# and, at the same time, under shojid, as far as this host's KVM lets it go.  It must get through PVH boot, FIFO
# event channels and hvc0, choose per-vCPU upcall vectors (the HVM CPUID leaf
# advertises XEN_HVM_CPUID_UPCALL_VECTOR; without it Linux takes the domain
# callback vector, which it never EOIs), and its first upcall must reach it
# once it has enabled its LAPIC.  Where it stops must be the host's doing: a
# KVM internal error at an instruction KVM's emulator cannot run (int3,
# xsave/xrstor, popcnt, fwait, SSE), which the test disassembles and names.
# Under shojid its hvc0 output must reach shoji-consoled's log (the PV
# console ring, not console_io) and the domain must end crashed by the same
# kind of host limit.
#
# Kernel options: noxsave and clearcpuid=popcnt, because on the development
# hosts CPUID leaf 1 is the host's whatever --hide-cpuid says, and Linux
# would otherwise stop earlier, at xrstor (docs/guests.md).
#
# With an initramfs whose static /init prints a marker and powers off: on a
# host whose KVM runs guest code natively Linux must reach it.
#
# SLOW (about 80 s on the development hosts, bounded at 200 s: the kernel
# runs in KVM's instruction emulator), NETWORK (apt-get download of the
# kernel package once, cached as debian-linux-hcpatch.sh does).
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/lib/debian.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

HV="$top_builddir/hypervisor/shoji-hv"
[ -x "$HV" ] || fail "$HV is not built"
deb_require binutils:objdump cpio:cpio
deb_linux_vmlinux

# The initramfs: a static /init that prints a marker on the console and
# powers off.  Where KVM runs guest code natively Linux must get there.
mark=SHOJI-LINUX-USERSPACE-MARKER
mkdir -p "$SHOJI_TMP/initramfs/dev"
cat >"$SHOJI_TMP/init.c" <<CEOF
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>
int main(void)
{
	puts("$mark");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
CEOF
cc -static -O2 -o "$SHOJI_TMP/initramfs/init" "$SHOJI_TMP/init.c" ||
	fail "cannot build the initramfs's /init (cc -static: libc6-dev's static libc)"
[ "$(id -u)" -ne 0 ] || mknod "$SHOJI_TMP/initramfs/dev/console" c 5 1
initrd="$SHOJI_TMP/initramfs.cpio"
(cd "$SHOJI_TMP/initramfs" && find . | cpio -o -H newc --quiet) >"$initrd" ||
	fail "cpio could not pack the initramfs"

# Under shojid, started first: both boots run while the test waits.
ts_start
x=$(ts_xml linux "$vmlinux" "console=hvc0 noxsave clearcpuid=popcnt" destroy destroy preserve 512)
sed -i "s|</kernel>|</kernel><initrd>$initrd</initrd>|" "$x"
shoji create "$x" >"$SHOJI_TMP/create.out" 2>&1 || fail "create: $(cat "$SHOJI_TMP/create.out")"

out="$SHOJI_TMP/console"
err="$SHOJI_TMP/hv.log"
start=$(date +%s)
"$HV" run "$vmlinux" --initrd "$initrd" --memory 512 --vcpus 1 -v \
	--cmdline "console=hvc0 earlyprintk=xen noxsave clearcpuid=popcnt" >"$out" 2>"$err" &
pid=$!
track_pid "$pid"
limit=200
while kill -0 "$pid" 2>/dev/null && [ $(($(date +%s) - start)) -lt "$limit" ]; do
	sleep 1
done
rc=0
if kill -0 "$pid" 2>/dev/null; then
	stop_pids "$pid"
	rc=running
else
	wait "$pid" || rc=$?
fi
secs=$(($(date +%s) - start))
echo "shoji-hv ran ${secs}s (status $rc); the console's last lines:"
tail -n 8 "$out"
grep -v 'unclaimed' "$err" | tail -n 8

report() {
	echo "---- console" >&2
	tail -n 30 "$out" >&2
	echo "---- shoji-hv -v" >&2
	grep -v 'unclaimed' "$err" | tail -n 20 >&2
	fail "$*"
}

for want in 'Booting kernel on Xen PVH' 'xen:events: Using FIFO-based ABI' \
	'printk: console \[hvc0\] enabled' 'x2apic enabled'; do
	grep -q "$want" "$out" || report "the guest never printed '$want'"
done
chosen=$(grep -o 'upcalls on vector.*' "$err" | head -n1)
case $chosen in
*per-vCPU*) ;;
*) report "Linux did not choose per-vCPU upcall vectors (${chosen:-no upcall was ever raised})" ;;
esac
grep -q 'held upcall taken by its LAPIC' "$err" ||
	report "Linux's first upcall never reached it after it enabled its LAPIC"

# stopped_by_host CONSOLE HVLOG WHO: Linux either reached its /init (the
# marker; a host whose KVM runs guest code natively) or was stopped by KVM
# at an instruction this host cannot run.
stopped_by_host() {
	local line rip low end insn
	if grep -q "$mark" "$1"; then
		echo "$3: Linux reached userspace (its /init printed the marker)"
		return 0
	fi
	line=$(grep 'KVM could not run the guest' "$2" | head -n1)
	[ -n "$line" ] || report "$3: it stopped, but not at a KVM internal error"
	rip=$(echo "$line" | sed -n 's/.* at rip \(0x[0-9a-f]*\).*/\1/p')
	[ -n "$rip" ] || report "$3: no rip in: $line"
	low=$(echo "$rip" | sed 's/^0x.*\(........\)$/\1/')
	end=$(printf '%s%08x' "${rip%"$low"}" $((0x$low + 15)))
	insn=$(objdump -d --start-address="$rip" --stop-address="$end" "$vmlinux" |
		sed -n 's/^ *[0-9a-f]*:\t[0-9a-f ]*\t//p' | head -n1)
	echo "$3: stopped by KVM at $rip: $insn"
	case $insn in
	int3* | xsave* | xrstor* | popcnt* | fwait* | wait* | fxsave* | fxrstor* | *xmm*) ;;
	*) report "$3: KVM stopped the guest at $rip ($insn), not a known host limit" ;;
	esac
}
[ "$rc" != running ] || grep -q "$mark" "$out" ||
	report "shoji-hv run: after ${limit}s Linux neither reached /init nor was stopped by the host"
stopped_by_host "$out" "$err" "shoji-hv run (status $rc)"
! grep -q "$mark" "$out" || [ "$rc" = 0 ] ||
	report "shoji-hv run: /init powered off, but shoji-hv exited with status $rc, not 0"

# Under shojid: the same milestones in shoji-consoled's log, then crashed by the host.
clog="$SHOJI_TMP/log/linux.log"
state() { shoji list | awk '$1 == "linux" { print $5 } END { print "gone" }' | head -n1; }
while [ $(($(date +%s) - start)) -lt "$limit" ] && [ "$(state)" != crashed ] &&
	[ "$(state)" != gone ]; do
	sleep 1
done
for want in 'Booting kernel on Xen PVH' 'xen:events: Using FIFO-based ABI' \
	'printk: console \[hvc0\] enabled'; do
	grep -q "$want" "$clog" 2>/dev/null ||
		{ out=$clog; report "under shojid: shoji-consoled's log never showed '$want'"; }
done
case $(state) in
crashed) stopped_by_host "$clog" "$SHOJI_TMP/state/shoji-hv.log" "under shojid" ;;
gone) grep -q "$mark" "$clog" || { out=$clog; report "under shojid: the domain ended without the /init marker"; } ;;
*) { out=$clog; report "under shojid: after ${limit}s Linux neither reached /init nor was stopped"; } ;;
esac
echo "debian-linux-boot: Linux chose per-vCPU upcalls, got its first one, printed on hvc0 (run mode and shoji-consoled), and reached /init or was stopped by the host (${secs}s)"
