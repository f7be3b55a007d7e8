#!/bin/sh
# --initrd arrives as module 0 with its exact size and bytes (POSIX cksum).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

initrd="$SHOJI_TMP/initrd.bin"
head -c 20011 /dev/urandom >"$initrd"
set -- $(cksum <"$initrd")
crc=$1 size=$2
out="$SHOJI_TMP/initrd"
run_guest "$out" initrd --initrd "$initrd" --cmdline "size=$size crc=$crc"
expect_checks "$out" initrd_module_present initrd_size initrd_in_ram initrd_no_overlap \
	initrd_bytes
expect_rc "$out" 0
exit 0
