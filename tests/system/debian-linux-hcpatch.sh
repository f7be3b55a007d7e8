#!/bin/sh
# Debian's stock Linux (linux-image-cloud-amd64) against shoji-hv's loader and
# hypercall-stub rewrite, without running it: the ELF vmlinux extracted from
# the package's bzImage must load, its PVH entry must be found, and the
# vmcall/vmmcall signature (hcpatch.h) must match exactly once, at two
# addresses that objdump disassembles as vmmcall and vmcall; after the
# rewrite the loaded guest memory holds the trapping sequence there.
#
# SLOW, NETWORK: apt-get download of the kernel package (~27 MB; the extracted
# vmlinux is cached in $SHOJI_DEB_CACHE, default ~/.cache/shoji-debian).
# Skipped loudly when apt cannot download it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/debian.sh"

inspect="$top_builddir/tests/unit/pvh-inspect"
[ -x "$inspect" ] || fail "$inspect not built (make check builds it)"
deb_require binutils:objdump
deb_linux_vmlinux

out="$SHOJI_TMP/inspect.out"
"$inspect" -m 512 -c 2 "$vmlinux" >"$out" || { cat "$out"; fail "the loader refused Debian's vmlinux"; }
cat "$out"
grep -q '^load: ok$' "$out" || fail "the loader did not accept Debian's vmlinux"
# The PVH entry the loader found is the one readelf reads from the note (type 0x12).
note=$(readelf -n "$vmlinux" | sed -n '/(0x00000012)/{n;s/.*description data: //p}' | head -n1)
[ -n "$note" ] || fail "readelf finds no XEN_ELFNOTE_PHYS32_ENTRY note"
# shellcheck disable=SC2086
set -- $note
want=$(printf '0x%x' $((0x$4 << 24 | 0x$3 << 16 | 0x$2 << 8 | 0x$1)))
grep -q "^entry: $want\$" "$out" || fail "PVH entry: loader says $(sed -n 's/^entry: //p' "$out"), the note says $want"

grep -q '^hcpatch: found$' "$out" || fail "the hypercall-stub signature was not found exactly once in Debian's vmlinux"
[ "$(grep -c '^hcpatch-site: ' "$out")" -eq 2 ] || fail "expected exactly two stubs"
for insn in vmmcall vmcall; do
	vaddr=$(sed -n "s/^hcpatch-site: $insn vaddr \(0x[0-9a-f]*\) .*/\1/p" "$out")
	[ -n "$vaddr" ] || fail "no $insn stub reported"
	# vaddr + 3 without 64-bit shell arithmetic (dash's is signed): on the low 32 bits.
	low=$(echo "$vaddr" | sed 's/^0x.*\(........\)$/\1/')
	[ "$low" != ffffffff ] && [ $((0x$low + 3)) -le $((0xffffffff)) ] || fail "odd address $vaddr"
	end=$(printf '%s%08x' "${vaddr%"$low"}" $((0x$low + 3)))
	dis=$(objdump -d --start-address="$vaddr" --stop-address="$end" "$vmlinux" | tail -n1)
	echo "objdump at $vaddr: $dis"
	echo "$dis" | grep -qw "$insn" || fail "objdump does not see $insn at $vaddr"
done

"$inspect" -m 512 -p "$vmlinux" >"$out" || { cat "$out"; fail "load after the rewrite failed"; }
grep '^guest-bytes: ' "$out"
[ "$(grep -c '^guest-bytes: .* trap$' "$out")" -eq 2 ] || fail "guest memory does not hold the trap sequence at both stubs"
echo "debian-linux-hcpatch: 2 stubs found and rewritten in $pkg $ver"
exit 0
