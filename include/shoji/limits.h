/*
 * shoji/limits.h - what one domain may have: shoji-hv's limits, stated once.
 *
 * shoji-hv refuses anything outside them (libshoji-ctrl's
 * shoji_ctrl_create(), `shoji-hv run`), and domain XML validation (shoji
 * validate, shoji create, shojid) checks the same values, so a domain that
 * validates can be created.  Memory is in KiB, the one unit of
 * struct shoji_domain_config and of shoji-hv's control protocol.  The man
 * pages shoji(1), shoji-domain.xml(5), shoji-hv(8) and shojid(8) state the
 * same figures (tests/headers/limits-docs.sh checks them).
 */
#ifndef SHOJI_LIMITS_H
#define SHOJI_LIMITS_H

/* Bytes in a domain name, without the terminating NUL. */
#define SHOJI_DOMAIN_NAME_MAX 63

/* Domains shoji-hv runs at once: ids 1 .. SHOJI_DOMAINS_MAX (0 is Dom0, the host);
 * hypervisor/hv.h's HV_DOMID_MAX (checked in control.c). */
#define SHOJI_DOMAINS_MAX 0x7fef

/* vCPUs of one domain: each has its vcpu_info in shared_info (XEN_LEGACY_MAX_VCPUS). */
#define SHOJI_DOMAIN_VCPUS_MAX 32

/* Guest RAM in KiB: 1 MiB at least; 3072 MiB at most, below the 4 GiB MMIO hole. */
#define SHOJI_DOMAIN_MEMORY_MIN_KIB 1024ULL
#define SHOJI_DOMAIN_MEMORY_MAX_KIB (3072ULL * 1024)

#endif /* SHOJI_LIMITS_H */
