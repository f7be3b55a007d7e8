/*
 * shoji/io/console.h - the PV console ring page (HVM_PARAM_CONSOLE_PFN).
 *
 * Two byte rings: `in` carries backend -> guest input, `out` guest ->
 * backend output.  Indexes are free-running 32-bit counters; the byte at
 * index i of ring r lives at MASK_XENCONS_IDX(i, r).  Producers write the
 * bytes, then (after a write barrier) the prod index, then notify the
 * console event channel (HVM_PARAM_CONSOLE_EVTCHN).
 *
 * Very recent Xen versions append a "connection" flag after out_prod; it
 * is not part of this layout (3088 bytes), which all versions accept.
 */
#ifndef SHOJI_IO_CONSOLE_H
#define SHOJI_IO_CONSOLE_H

#define XENCONS_IN_SIZE  1024
#define XENCONS_OUT_SIZE 2048

/* Slot of index idx in ring (an array whose size is a power of 2). */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

#ifndef __ASSEMBLY__

#include <stdint.h>
#include <shoji/abi-check.h>

typedef uint32_t XENCONS_RING_IDX;

struct xencons_interface {
	char in[XENCONS_IN_SIZE];
	char out[XENCONS_OUT_SIZE];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};
SHOJI_ABI_OFFSET(struct xencons_interface, out, 1024);
SHOJI_ABI_OFFSET(struct xencons_interface, in_cons, 3072);
SHOJI_ABI_OFFSET(struct xencons_interface, in_prod, 3076);
SHOJI_ABI_OFFSET(struct xencons_interface, out_cons, 3080);
SHOJI_ABI_OFFSET(struct xencons_interface, out_prod, 3084);
SHOJI_ABI_SIZE(struct xencons_interface, 3088);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_IO_CONSOLE_H */
