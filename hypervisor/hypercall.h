/*
 * Hypercall dispatch: one table indexed by hypercall number.  Handlers get
 * the calling vCPU and the five argument registers (rdi, rsi, rdx, r10, r8;
 * for a 32-bit caller, v->compat, ebx, ecx, edx, esi, edi zero-extended)
 * and return the value for rax: >= 0 on success, -XEN_E* on failure.
 * Handlers touch guest memory only through copy_from_guest/copy_to_guest.
 * A handler runs on the calling vCPU's thread with no locks held.
 */
#ifndef SHOJI_HV_HYPERCALL_H
#define SHOJI_HV_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include <shoji/errno.h>
#include <shoji/xen.h>

#include "compat.h"

struct vcpu;

#define HYPERCALL_NR 64 /* table size; higher numbers are -XEN_ENOSYS */

typedef long hypercall_fn(struct vcpu *v, const uint64_t a[5]);

/* Run hypercall @nr for @v; unknown numbers return -XEN_ENOSYS. */
long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t a[5]);

/* Fill the 4 KiB page at host address @page with the trapping stubs. */
void hypercall_page_fill(uint8_t *page);

/* Guest-virtual copies for the calling vCPU (v->paging); 0 or -XEN_EFAULT. */
int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len);

/*
 * Arguments in the caller's ABI (compat.h): read or write the structure of
 * layout @l at @gva; @native is always the native structure.  A 64-bit
 * caller's copy is a plain copy.  0 or -XEN_EFAULT.
 */
int copy_arg_from_guest(struct vcpu *v, const struct compat_layout *l, void *native, uint64_t gva);
int copy_arg_to_guest(struct vcpu *v, const struct compat_layout *l, uint64_t gva,
                      const void *native);
/* Write back only @l's field at native offset @off of @native (an OUT field). */
int copy_field_to_guest(struct vcpu *v, const struct compat_layout *l, uint64_t gva,
                        const void *native, size_t off);
/* The size of one xen_pfn_t in a list the caller passes (4 for a 32-bit caller). */
size_t guest_pfn_size(const struct vcpu *v);

/*
 * A domid argument of a guest's own hypercall: 0 for DOMID_SELF or its own
 * id, -XEN_ESRCH when no such domain exists, -XEN_EPERM for another domain.
 */
int hypercall_check_domid(struct vcpu *v, uint32_t domid);

/*
 * copy_from_guest() of an argument that names a domain, then
 * hypercall_check_domid() of that name: @domid points into @dst.
 */
int copy_domid_arg(struct vcpu *v, void *dst, uint64_t gva, size_t len, domid_t *domid);

/* Whether @table, handlers indexed by a hypercall's sub-op, has one for @cmd. */
#define SUBOP_HAS(table, cmd) ((cmd) < sizeof(table) / sizeof((table)[0]) && (table)[cmd])

/* The per-family handlers (one file each). */
hypercall_fn do_xen_version;
hypercall_fn do_console_io;
hypercall_fn do_sched_op;
hypercall_fn do_vcpu_op;
hypercall_fn do_memory_op;
hypercall_fn do_hvm_op;
hypercall_fn do_event_channel_op; /* evtgntop.c, both */
hypercall_fn do_grant_table_op;

#endif
