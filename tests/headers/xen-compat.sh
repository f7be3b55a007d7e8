#!/bin/sh
# shoji-hv's 32-bit hypercall layouts (hypervisor/compat-layout.h) must be
# Xen's: compile the list with -m32 against Xen's own public headers
# (Debian's libxen-dev), asserting every structure's size and every field's
# offset and size, and check that the test itself fails on a wrong offset.
. "$top_srcdir/tests/lib/common.sh"

[ -f /usr/include/xen/memory.h ] || fail "Xen's public headers are missing (apt-get install libxen-dev)"
cc=${CC:-cc}

# gen FILE [EXTRA]: the assertion unit; EXTRA is appended to the field list.
gen() {
	cat >"$1" <<EOT
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/grant_table.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include "compat-layout.h"
#define F(type, field, off, size) \\
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " offset"); \\
	_Static_assert(sizeof(((struct type *)0)->field) == (size), #type "." #field " size");
#define S(type, size, FIELDS) \\
	_Static_assert(sizeof(struct type) == (size), #type " size"); FIELDS(F)
COMPAT_STRUCTS(S)
$2
EOT
}

compile() {
	$cc -m32 -ffreestanding -fsyntax-only -Wall -Werror \
		-D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ -I"$top_srcdir/hypervisor" "$1" \
		>"$SHOJI_TMP/log" 2>&1
}

gen "$SHOJI_TMP/ok.c"
compile "$SHOJI_TMP/ok.c" || { cat "$SHOJI_TMP/log"; fail "32-bit layouts differ from Xen's"; }
n=$(grep -c '^	F(' "$top_srcdir/hypervisor/compat-layout.h")
[ "$n" -ge 20 ] || fail "only $n compat fields found in compat-layout.h"

# The check must be able to fail: a wrong offset is refused.
gen "$SHOJI_TMP/bad.c" 'F(gnttab_copy, status, 24, 2)'
if compile "$SHOJI_TMP/bad.c"; then
	fail "a wrong compat offset compiled: the check is hollow"
fi
echo "PASS: $n 32-bit fields match Xen's headers compiled with -m32"
