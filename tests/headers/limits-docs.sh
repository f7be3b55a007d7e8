#!/bin/sh
# shoji-hv's domain limits are stated once, in <shoji/limits.h>; every man
# page that speaks of them (the LIMITS section of shoji(1),
# shoji-domain.xml(5), shoji-hv(8) and shojid(8)) must say the header's
# values, and none may keep an old figure.
. "$top_srcdir/tests/lib/common.sh"

cpp=${CPP:-cpp}
command -v "$cpp" >/dev/null 2>&1 || cpp="gcc -E"
# The header's values, as the compiler sees them.
vals=$(printf '#include <shoji/limits.h>\nSHOJI_DOMAIN_NAME_MAX SHOJI_DOMAIN_VCPUS_MAX SHOJI_DOMAIN_MEMORY_MIN_KIB SHOJI_DOMAIN_MEMORY_MAX_KIB\n' |
	$cpp -P -I"$top_srcdir/include" - | tail -n 1 | sed 's/ULL//g') || fail "cannot preprocess limits.h"
set -- $(echo "$vals" | sed 's/(\([^)]*\))/\1/g; s/ \* /*/g')
[ $# = 4 ] || fail "limits.h gave '$vals'"
name=$(($1)) vcpus=$(($2)) min_kib=$(($3)) max_kib=$(($4))
min_mib=$((min_kib / 1024)) max_mib=$((max_kib / 1024))
echo "limits.h: name $name bytes, vcpus $vcpus, memory $min_kib..$max_kib KiB"

for page in dom0-tools/cli/shoji.1 dom0-tools/domxml/shoji-domain.xml.5 hypervisor/shoji-hv.8 \
	dom0-tools/shojid/shojid.8; do
	f="$top_srcdir/$page"
	sect=$(sed -n '/^\.SH LIMITS/,/^\.SH /p' "$f")
	[ -n "$sect" ] || fail "$page has no LIMITS section"
	for want in "A domain has a name of 1 to $name bytes," \
		"$min_mib MiB to $max_mib MiB of memory ($min_kib to $max_kib KiB)," \
		"and 1 to $vcpus vCPUs."; do
		echo "$sect" | grep -qxF "$want" || fail "$page LIMITS does not say '$want'"
	done
done

# The figures elsewhere in the pages agree too.
grep -q "^1 to $name characters from letters" "$top_srcdir/dom0-tools/domxml/shoji-domain.xml.5" ||
	fail "shoji-domain.xml(5) <name> length"
grep -q "at most $max_mib MiB" "$top_srcdir/dom0-tools/domxml/shoji-domain.xml.5" ||
	fail "shoji-domain.xml(5) <memory> maximum"
grep -q "virtual CPUs, 1 to $vcpus " "$top_srcdir/dom0-tools/domxml/shoji-domain.xml.5" ||
	fail "shoji-domain.xml(5) <vcpu> maximum"
grep -q "^Guest RAM in MiB, 1 to $max_mib " "$top_srcdir/hypervisor/shoji-hv.8" ||
	fail "shoji-hv(8) --memory maximum"
grep -q "^Number of vCPUs, 1 to $vcpus " "$top_srcdir/hypervisor/shoji-hv.8" ||
	fail "shoji-hv(8) --vcpus maximum"
echo "PASS: the man pages state limits.h's limits"
