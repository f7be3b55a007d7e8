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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/errno.h>
#include <shoji/xen.h>

#include "compat.h"

struct vcpu;

#define HYPERCALL_NR 64 /* table size; higher numbers are -XEN_ENOSYS */

typedef long hypercall_fn(struct vcpu *v, const uint64_t a[5]);

/*
 * Continuations, as on Xen: a handler that works through a list the guest
 * passed (grant ops, memory extents) calls hypercall_preempt_check() after
 * each item, and when it answers true stops there and returns
 * hypercall_create_continuation() with the arguments that do the rest.  The
 * vCPU then goes back to its run loop (where a pause or a destroy takes
 * effect) and the guest issues the call again with those arguments, as
 * if it had been interrupted just before the trapping instruction.  So no
 * call keeps a vCPU away from its run loop for longer than
 * HYPERCALL_SLICE_NS (and one item) or HYPERCALL_ITEMS_MAX items, whichever
 * comes first, and one comes back after its next item once the vCPU is
 * kicked (its domain paused, shut down, crashed or dying, or it taken
 * offline).  Otherwise a call does HYPERCALL_ITEMS_MIN items before it may
 * stop: a batch that short is continued only for a kick.
 */
#define HYPERCALL_ITEMS_MIN 8u
#define HYPERCALL_ITEMS_MAX 1024u
#define HYPERCALL_SLICE_NS  1000000ull /* 1 ms */

/* Per-vCPU state of the hypercall being handled (struct vcpu's hcall). */
struct hypercall_state {
	uint64_t start_ns; /* CLOCK_MONOTONIC when this entry began */
	uint32_t items;    /* items done in this entry (hypercall_preempt_check calls) */
	bool continued;    /* the handler asked for the call to be issued again ... */
	uint64_t args[5];  /* ... with these argument registers */
};

/*
 * Run hypercall @nr for @v; unknown numbers return -XEN_ENOSYS.  When the
 * handler preempted the call, hypercall_continued() says with what
 * arguments to issue it again, and the value returned means nothing.
 */
long hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t a[5]);

/*
 * After an item of a batch: whether to stop the call here (the item
 * budget or time slice is spent, or the domain must stop running).
 */
bool hypercall_preempt_check(struct vcpu *v);
/* Make the call being handled re-issued with @a; the handler returns this value. */
long hypercall_create_continuation(struct vcpu *v, const uint64_t a[5]);
/* Whether the last hypercall_dispatch() on @v was preempted; if so its next arguments in @a. */
bool hypercall_continued(const struct vcpu *v, uint64_t a[5]);

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
