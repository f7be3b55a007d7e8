/*
 * vectors.h: where vectors.S puts its entry points, for the IDT that irq.c
 * builds at compile time.
 *
 * Every instruction a guest runs before its first console byte costs about
 * a microsecond on hosts where KVM emulates guest code, and filling 34 IDT
 * gates at boot took about 640 of them.  So the stubs sit at fixed
 * addresses (guest.lds places .text.vectors first, at the image base, and
 * checks it) and the IDT is plain initialised data the loader copies in.
 * Plain #defines only: vectors.S includes this file too.
 */
#ifndef SHOJI_GUEST_VECTORS_H
#define SHOJI_GUEST_VECTORS_H

#define VECTORS_BASE         0x100000 /* guest.lds: the image base */
#define VECTORS_EXC_STRIDE   16       /* exception stub v at VECTORS_BASE + 16 * v */
#define VECTORS_UPCALL_OFF   0x200    /* irq_upcall_entry */
#define VECTORS_SPURIOUS_OFF 0x280    /* irq_spurious_entry */

#endif
