/* The 32-bit hypercall ABI: structure translation (see compat.h). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <shoji/grant_table.h>
#include <shoji/memory.h>
#include <shoji/sched.h>
#include <shoji/vcpu.h>
#include <shoji/version.h>

#include "compat.h"

#define FIELD_ENTRY(type, field, coff, csize)                                                      \
	{offsetof(struct type, field), (coff), sizeof(((struct type *)0)->field), (csize)},
#define LAYOUT(type, csize, FIELDS)                                                                \
	static const struct compat_field type##_fields[] = {FIELDS(FIELD_ENTRY)};                  \
	const struct compat_layout compat_##type = {                                               \
	    #type, sizeof(struct type), (csize), sizeof(type##_fields) / sizeof(type##_fields[0]), \
	    type##_fields};
COMPAT_STRUCTS(LAYOUT)

#define FITS(type, csize, FIELDS)                                                                  \
	_Static_assert((csize) <= COMPAT_MAX_SIZE, #type " is larger than COMPAT_MAX_SIZE");
COMPAT_STRUCTS(FITS)

/* Little-endian: the low @n bytes of a field are its first @n bytes. */
void compat_to_native(const struct compat_layout *l, void *native, const void *compat)
{
	unsigned int i;

	memset(native, 0, l->native_size);
	for (i = 0; i < l->nr_fields; i++) {
		const struct compat_field *f = &l->fields[i];
		size_t n = f->compat_size < f->native_size ? f->compat_size : f->native_size;

		memcpy((char *)native + f->native_off, (const char *)compat + f->compat_off, n);
	}
}

void compat_from_native(const struct compat_layout *l, void *compat, const void *native)
{
	unsigned int i;

	memset(compat, 0, l->compat_size);
	for (i = 0; i < l->nr_fields; i++) {
		const struct compat_field *f = &l->fields[i];
		size_t n = f->compat_size < f->native_size ? f->compat_size : f->native_size;

		memcpy((char *)compat + f->compat_off, (const char *)native + f->native_off, n);
	}
}

const struct compat_field *compat_field(const struct compat_layout *l, size_t native_off)
{
	unsigned int i;

	for (i = 0; i < l->nr_fields; i++)
		if (l->fields[i].native_off == native_off)
			return &l->fields[i];
	return NULL;
}
