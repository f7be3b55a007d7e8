/* Guest CPUID tables (see cpuid.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/xen.h>

#include "cpuid.h"
#include "kvm.h"

enum { R_EAX, R_EBX, R_ECX, R_EDX };

struct cpuid_feature {
	const char *name;
	uint32_t leaf;
	uint32_t subleaf;
	uint8_t reg;
	uint8_t bit;
};

/* Every feature --hide-cpuid can name (at most 64: the mask is a uint64_t). */
static const struct cpuid_feature features[] = {
    {"fma", 1, 0, R_ECX, 12},
    {"cmpxchg16b", 1, 0, R_ECX, 13},
    {"pcid", 1, 0, R_ECX, 17},
    {"sse4_1", 1, 0, R_ECX, 19},
    {"sse4_2", 1, 0, R_ECX, 20},
    {"x2apic", 1, 0, R_ECX, 21},
    {"movbe", 1, 0, R_ECX, 22},
    {"popcnt", 1, 0, R_ECX, 23},
    {"tsc_deadline", 1, 0, R_ECX, 24},
    {"aes", 1, 0, R_ECX, 25},
    {"xsave", 1, 0, R_ECX, 26},
    {"osxsave", 1, 0, R_ECX, 27},
    {"avx", 1, 0, R_ECX, 28},
    {"f16c", 1, 0, R_ECX, 29},
    {"rdrand", 1, 0, R_ECX, 30},
    {"bmi1", 7, 0, R_EBX, 3},
    {"avx2", 7, 0, R_EBX, 5},
    {"bmi2", 7, 0, R_EBX, 8},
    {"erms", 7, 0, R_EBX, 9},
    {"avx512f", 7, 0, R_EBX, 16},
    {"avx512dq", 7, 0, R_EBX, 17},
    {"rdseed", 7, 0, R_EBX, 18},
    {"adx", 7, 0, R_EBX, 19},
    {"avx512cd", 7, 0, R_EBX, 28},
    {"sha", 7, 0, R_EBX, 29},
    {"avx512bw", 7, 0, R_EBX, 30},
    {"avx512vl", 7, 0, R_EBX, 31},
    {"pku", 7, 0, R_ECX, 3},
    {"gfni", 7, 0, R_ECX, 8},
    {"vaes", 7, 0, R_ECX, 9},
    {"vpclmulqdq", 7, 0, R_ECX, 10},
    {"la57", 7, 0, R_ECX, 16},
    {"pdpe1gb", 0x80000001, 0, R_EDX, 26},
    {"rdtscp", 0x80000001, 0, R_EDX, 27},
};

#define NFEATURES (sizeof(features) / sizeof(features[0]))
_Static_assert(NFEATURES <= 64, "hide mask is 64 bits");

static const char feature_names[] =
    "fma,cmpxchg16b,pcid,sse4_1,sse4_2,x2apic,movbe,popcnt,tsc_deadline,aes,xsave,osxsave,"
    "avx,f16c,rdrand,bmi1,avx2,bmi2,erms,avx512f,avx512dq,rdseed,adx,avx512cd,sha,avx512bw,"
    "avx512vl,pku,gfni,vaes,vpclmulqdq,la57,pdpe1gb,rdtscp";

const char *cpuid_feature_names(void)
{
	return feature_names;
}

int cpuid_parse_hide(const char *list, uint64_t *mask, const char **bad)
{
	static char badname[32];
	const char *p = list;
	uint64_t m = 0;

	*bad = NULL;
	if (strcmp(list, "none") == 0 || *list == '\0') {
		*mask = 0;
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < NFEATURES; i++)
			if (strlen(features[i].name) == len &&
			    strncmp(features[i].name, p, len) == 0)
				break;
		if (i == NFEATURES) {
			if (len >= sizeof(badname))
				len = sizeof(badname) - 1;
			memcpy(badname, p, len);
			badname[len] = '\0';
			*bad = badname;
			return -EINVAL;
		}
		m |= 1ULL << i;
		p += len;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return 0;
}

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, unsigned int reg)
{
	switch (reg) {
	case R_EAX:
		return &e->eax;
	case R_EBX:
		return &e->ebx;
	case R_ECX:
		return &e->ecx;
	default:
		return &e->edx;
	}
}

static void add_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t a, uint32_t b, uint32_t cx,
                     uint32_t d)
{
	struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = a;
	e->ebx = b;
	e->ecx = cx;
	e->edx = d;
}

struct kvm_cpuid2 *cpuid_build(const struct kvm_cpuid2 *supported, uint64_t hide_mask,
                               uint32_t domid, uint32_t vcpu_id)
{
	uint64_t xsave_bit = 0;
	struct kvm_cpuid2 *c;
	uint32_t i, j;

	for (j = 0; j < NFEATURES; j++)
		if (strcmp(features[j].name, "xsave") == 0)
			xsave_bit = 1ULL << j;

	c = calloc(1, sizeof(*c) + (supported->nent + 8) * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	for (i = 0; i < supported->nent; i++) {
		struct kvm_cpuid_entry2 e = supported->entries[i];

		/* KVM's own paravirt leaves give way to Xen's. */
		if (e.function >= 0x40000000 && e.function < 0x40010000)
			continue;
		/* XSAVE state enumeration goes with XSAVE. */
		if (e.function == 0xd && (hide_mask & xsave_bit))
			continue;
		for (j = 0; j < NFEATURES; j++)
			if ((hide_mask & (1ULL << j)) && features[j].leaf == e.function &&
			    features[j].subleaf == e.index)
				*reg_of(&e, features[j].reg) &= ~(1u << features[j].bit);
		if (e.function == 1)
			e.ebx = (e.ebx & 0x00ffffff) | (vcpu_id << 24);
		if (e.function == 0xb || e.function == 0x1f)
			e.edx = vcpu_id;
		c->entries[c->nent++] = e;
	}
	add_leaf(c, XEN_CPUID_LEAF(0), XEN_CPUID_LEAF(4), XEN_CPUID_SIGNATURE_EBX,
	         XEN_CPUID_SIGNATURE_ECX, XEN_CPUID_SIGNATURE_EDX);
	add_leaf(c, XEN_CPUID_LEAF(1), (HV_XEN_MAJOR << 16) | HV_XEN_MINOR, 0, 0, 0);
	add_leaf(c, XEN_CPUID_LEAF(2), 1, HV_HYPERCALL_MSR, 0, 0);
	add_leaf(c, XEN_CPUID_LEAF(3), 0, 0, 0, 0);
	/*
	 * UPCALL_VECTOR: HVMOP_set_evtchn_upcall_vector works (hvmop.c), so
	 * Linux 6.0+ takes per-vCPU vectors through the LAPIC, which it EOIs,
	 * rather than the domain-wide callback vector.
	 */
	add_leaf(c, XEN_CPUID_LEAF(4),
	         XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
	             XEN_HVM_CPUID_UPCALL_VECTOR,
	         vcpu_id, domid, 0);
	return c;
}
