/*
 * The small platform a PVH guest probes: the I/O ports a device answers
 * (CMOS/RTC, PCI configuration, POST code, the 0xE9 debug console) and the
 * default for everything else, ports and MMIO alike (reads all-ones, writes
 * dropped, counted).  vcpu.c's KVM_EXIT_IO and KVM_EXIT_MMIO handlers call
 * pio_port() and pio_mmio(); the hypercall port never reaches them.
 *
 * KVM-free and table-driven: an access is a struct pio_access in, its
 * result out, so unit tests drive the devices directly.  What to log about unclaimed
 * accesses is returned, not logged: the caller owns the log.
 */
#ifndef SHOJI_HV_PIO_H
#define SHOJI_HV_PIO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct domain;

#define PIO_CMOS_INDEX 0x70u
#define PIO_CMOS_DATA  0x71u
#define PIO_POST       0x80u
#define PIO_DEBUGCON   0xe9u  /* Bochs's and Xen's debug console port */
#define PIO_PCI_FIRST  0xcf8u /* CONFIG_ADDRESS 0xcf8-0xcfb, CONFIG_DATA 0xcfc-0xcff */
#define PIO_PCI_LAST   0xcffu

/* CMOS/RTC registers (MC146818) and their defaults. */
#define CMOS_SECONDS   0x00u
#define CMOS_MINUTES   0x02u
#define CMOS_HOURS     0x04u
#define CMOS_WEEKDAY   0x06u /* 1 = Sunday */
#define CMOS_DAY       0x07u
#define CMOS_MONTH     0x08u
#define CMOS_YEAR      0x09u
#define CMOS_REG_A     0x0au
#define CMOS_REG_B     0x0bu
#define CMOS_REG_C     0x0cu
#define CMOS_REG_D     0x0du
#define CMOS_CENTURY   0x32u
#define CMOS_SIZE      128u
#define CMOS_A_UIP     0x80u /* update in progress: set in the last 244 us of each second */
#define CMOS_A_DEFAULT 0x26u /* 32.768 kHz time base, 1024 Hz rate */
#define CMOS_B_SET     0x80u
#define CMOS_B_BINARY  0x04u /* DM: binary instead of BCD */
#define CMOS_B_24H     0x02u
#define CMOS_B_DEFAULT CMOS_B_24H /* BCD, 24-hour, no interrupts */
#define CMOS_D_VRT     0x80u      /* valid RAM and time */
#define CMOS_UIP_NS    244000u
#define CMOS_HOURS_PM  0x80u /* 12-hour mode */

/* Unclaimed accesses logged one by one per domain and kind; then summaries. */
#define PIO_LOG_FIRST 8u

/* One port or MMIO access. */
struct pio_access {
	uint64_t addr; /* port, or guest-physical address */
	uint64_t data; /* the value written; the value read (little-endian, @size bytes) */
	uint8_t size;  /* bytes: 1, 2 or 4 for ports, 1 to 8 for MMIO */
	bool write;
};

/* What the caller logs about an access no device claimed. */
enum pio_log {
	PIO_LOG_NONE,    /* a device answered it, or past the rate limit */
	PIO_LOG_ACCESS,  /* one of the domain's first PIO_LOG_FIRST: log the access */
	PIO_LOG_SUMMARY, /* the count reached a power of two: log the count */
};

/* Per-domain platform state (struct domain's pio; all zero = power-on). */
struct pio {
	bool ready; /* cmos[] holds its defaults */
	uint8_t cmos_index;
	bool nmi_masked; /* bit 7 of the last index write */
	uint8_t cmos[CMOS_SIZE];
	uint64_t unclaimed_ports; /* accesses the default answered */
	uint64_t unclaimed_mmio;
	/* The wall clock (UTC) the RTC reads; NULL = CLOCK_REALTIME.  For tests. */
	void (*wallclock)(struct timespec *ts);
};

/*
 * Guest access @a to I/O port a->addr (a->size 1, 2 or 4): a device's
 * answer, or the default (a read all-ones, a write dropped, counted).
 * Takes d->lock.  *@count is the domain's unclaimed port accesses so far.
 */
enum pio_log pio_port(struct domain *d, struct pio_access *a, uint64_t *count);

/*
 * Guest access @a to guest-physical a->addr that is neither RAM nor a
 * grant mapping (a->size 1 to 8): a read gives all-ones, a write is
 * dropped; counted like pio_port().  Takes d->lock.
 */
enum pio_log pio_mmio(struct domain *d, struct pio_access *a, uint64_t *count);

#endif
