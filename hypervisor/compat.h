/*
 * The 32-bit hypercall ABI.  A vCPU that calls from 32-bit code (CS.L
 * clear: protected mode, or compat mode of a 64-bit guest) passes its
 * arguments in ebx, ecx, edx, esi, edi and its structures in their 32-bit
 * layouts.  Handlers read and write such structures through
 * copy_arg_from_guest/copy_arg_to_guest (hypercall.h) with the structure's
 * layout, and the grant table core through its guest_io: they see the
 * native structure either way.  The layouts are in compat-layout.h; this
 * file only translates, and knows nothing of vCPUs.
 */
#ifndef SHOJI_HV_COMPAT_H
#define SHOJI_HV_COMPAT_H

#include <stddef.h>
#include <stdint.h>

struct compat_field {
	uint16_t native_off, compat_off;
	uint8_t native_size, compat_size;
};

struct compat_layout {
	const char *name;
	size_t native_size, compat_size;
	unsigned int nr_fields;
	const struct compat_field *fields;
};

#define COMPAT_DECLARE(type, size, fields) extern const struct compat_layout compat_##type;
#include "compat-layout.h"
COMPAT_STRUCTS(COMPAT_DECLARE)
#undef COMPAT_DECLARE

/* The largest compat image (vcpu_runstate_info); compat.c asserts it. */
#define COMPAT_MAX_SIZE 44

/*
 * Native structure @native from its compat image @compat (each field
 * zero-extended: handles, xen_ulong_t and xen_pfn_t are unsigned), and
 * back (each field truncated).
 */
void compat_to_native(const struct compat_layout *l, void *native, const void *compat);
void compat_from_native(const struct compat_layout *l, void *compat, const void *native);
/* The field of @l at native offset @native_off, or NULL. */
const struct compat_field *compat_field(const struct compat_layout *l, size_t native_off);

#endif
