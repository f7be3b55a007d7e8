/*
 * A fake platform for shoji-hv's KVM-free core (loader, guest memory,
 * hypercall handlers): test_hv_platform.c implements hypervisor/platform.h
 * with domains of plain malloc'd RAM and vCPUs without threads, for unit
 * tests and fuzzers.  Not a test by itself.
 */
#ifndef SHOJI_TEST_HV_PLATFORM_H
#define SHOJI_TEST_HV_PLATFORM_H

#include <stdint.h>

#include "domain.h"
#include "hv.h"
#include "vcpu.h"

/* What the fake platform observed. */
struct fake_log {
	unsigned int kicks;
	unsigned int starts;
	unsigned int blocks;
	unsigned int upcalls;
	unsigned int timer_updates;
	unsigned int slot_sets;
	uint64_t last_slot_gpa;
	uint64_t last_slot_size;
};

extern struct fake_log fake_log;

/* A paused domain with @mem bytes of zeroed RAM and @nvcpus offline vCPUs (vCPU 0 online). */
struct domain *fake_domain_new(uint64_t mem, unsigned int nvcpus);
void fake_domain_free(struct domain *d);

/* Make @v's page walks use these control registers (0 = paging off). */
void fake_vcpu_paging(struct vcpu *v, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer);

#endif
