#!/bin/sh
# Debian's GRUB built as a Xen PVH guest (grub-xen-bin: grub-mkimage -O
# i386-xen_pvh) against shoji-hv's loader, without running it: the 32-bit
# EM_386 image must load and its PVH entry be the one its note names.
# (debian-grub-boot.sh boots the same image, where KVM is.)
# Installs grub-xen-bin with apt when missing (as root); skipped loudly if it cannot.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/debian.sh"

inspect="$top_builddir/tests/unit/pvh-inspect"
[ -x "$inspect" ] || fail "$inspect not built (make check builds it)"
cat >"$SHOJI_TMP/embedded.cfg" <<'CFG'
echo SHOJI-GRUB-PVH-MARKER
ls
halt
CFG
grub_pvh_image "$SHOJI_TMP/grub.elf" "$SHOJI_TMP/embedded.cfg"
readelf -h "$SHOJI_TMP/grub.elf" | grep -E 'Class|Machine'
readelf -h "$SHOJI_TMP/grub.elf" | grep -q 'ELF32' || fail "GRUB's PVH image is not ELF32"
readelf -h "$SHOJI_TMP/grub.elf" | grep -q '80386' || fail "GRUB's PVH image is not EM_386"

out="$SHOJI_TMP/inspect.out"
"$inspect" -m 64 "$SHOJI_TMP/grub.elf" >"$out" || { cat "$out"; fail "the loader refused GRUB's PVH image"; }
cat "$out"
note=$(readelf -n "$SHOJI_TMP/grub.elf" | sed -n '/(0x00000012)/{n;s/.*description data: //p}' | head -n1)
[ -n "$note" ] || fail "readelf finds no XEN_ELFNOTE_PHYS32_ENTRY note in GRUB's image"
# shellcheck disable=SC2086
set -- $note
want=$(printf '0x%x' $((0x$4 << 24 | 0x$3 << 16 | 0x$2 << 8 | 0x$1)))
grep -q "^entry: $want\$" "$out" || fail "PVH entry: loader says $(sed -n 's/^entry: //p' "$out"), the note says $want"
grep -q '^hcpatch: none$' "$out" || fail "the hypercall-stub scanner matched inside GRUB"
echo "debian-grub-pvh: GRUB's i386-xen_pvh image loads, PVH entry $want"
exit 0
