/*
 * libFuzzer target: shoji-hv's hypercall dispatch against a fake domain.
 * The input fills guest RAM (random structures and page tables) and names a
 * sequence of hypercalls; paging is on or off as the first byte says.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypercall.h"
#include "test_hv_platform.h"

#define MEM       (1u << 20)
#define MAX_CALLS 64
#define CALL_SIZE 41 /* 1 byte number + 5 x 8 bytes of arguments */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain *d;
	struct vcpu *v;
	size_t i, off, ncalls;

	if (size < 1)
		return 0;
	d = fake_domain_new(MEM, 2);
	v = d->vcpus[(data[0] >> 1) & 1];
	/* Guest RAM: the input, repeated. */
	for (off = 0; off < MEM; off += size)
		memcpy(d->mem.base + off, data, size < MEM - off ? size : MEM - off);
	/* The paging mode (tables rooted at 0x1000, random content) and the ABI. */
	switch ((data[0] >> 2) & 3) {
	case 0: /* long mode, 4 levels */
		fake_vcpu_paging(v, (1ULL << 31) | (1ULL << 16) | 1, 0x1000, 1ULL << 5,
		                 (1ULL << 8) | (1ULL << 10));
		break;
	case 1: /* 32-bit PAE */
		fake_vcpu_paging(v, (1ULL << 31) | (1ULL << 16) | 1, 0x1000, 1ULL << 5, 0);
		break;
	case 2: /* 32-bit, 4 MiB pages */
		fake_vcpu_paging(v, (1ULL << 31) | (1ULL << 16) | 1, 0x1000, 1ULL << 4, 0);
		break;
	default:
		fake_vcpu_paging(v, 1, 0, 0, 0);
	}
	v->compat = data[0] & 1; /* the 32-bit layouts */

	ncalls = (size - 1) / CALL_SIZE;
	if (ncalls > MAX_CALLS)
		ncalls = MAX_CALLS;
	for (i = 0; i < ncalls; i++) {
		const uint8_t *c = data + 1 + i * CALL_SIZE;
		uint64_t a[5];
		/* Mostly the implemented families, sometimes any number. */
		static const uint8_t nrs[] = {12, 17, 18, 24, 29, 34};
		unsigned int nr = c[0] < 200 ? nrs[c[0] % sizeof(nrs)] : c[0];

		memcpy(a, c + 1, sizeof(a));
		/* Keep pointers mostly inside the 1 MiB of RAM so handlers get past copy-in. */
		if (c[0] & 1)
			a[1] %= MEM;
		if (c[0] & 2)
			a[2] %= MEM;
		hypercall_dispatch(v, nr, a);
	}
	fake_domain_free(d);
	return 0;
}
