/*
 * Guest CPUID: what KVM supports, minus the features a domain hides, plus the
 * Xen leaves at 0x40000000 (signature, version, hypercall MSR, HVM features).
 */
#ifndef SHOJI_HV_CPUID_H
#define SHOJI_HV_CPUID_H

#include <stdint.h>
#include <linux/kvm.h>

/* Features hidden when a domain does not say otherwise. */
#define CPUID_HIDE_DEFAULT                                                                         \
	"xsave,osxsave,avx,avx2,fma,f16c,avx512f,avx512dq,avx512cd,avx512bw,avx512vl,cmpxchg16b"

/* Xen version reported in CPUID 0x40000001 and XENVER_version. */
#define HV_XEN_MAJOR 4
#define HV_XEN_MINOR 17

/*
 * Parse a comma-separated feature list ("none" = empty) into a hide mask.
 * Returns 0, or -EINVAL with *bad pointing at the unknown name.
 */
int cpuid_parse_hide(const char *list, uint64_t *mask, const char **bad);

/* The comma-separated names of every feature --hide-cpuid knows (static string). */
const char *cpuid_feature_names(void);

/*
 * Build the CPUID table for one vCPU: a malloc'd kvm_cpuid2 the caller frees,
 * or NULL when out of memory.
 */
struct kvm_cpuid2 *cpuid_build(const struct kvm_cpuid2 *supported, uint64_t hide_mask,
                               uint32_t domid, uint32_t vcpu_id);

#endif
