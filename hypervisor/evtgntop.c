/*
 * The event channel and grant table hypercalls: a guest's
 * HYPERVISOR_event_channel_op and HYPERVISOR_grant_table_op go to the cores
 * (evtchn.c, gnttab.c) with its own port table and grant table (evtglue.h),
 * copies through the guest's page tables, and grant mappings placed in its
 * physmap (physmap.h).
 */
#include "config.h"

#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

#include "domain.h"
#include "evtchn.h"
#include "evtglue.h"
#include "gnttab.h"
#include "hypercall.h"
#include "physmap.h"
#include "vcpu.h"

static int io_copy_from(void *ctx, void *dst, uint64_t gva, size_t len)
{
	return copy_from_guest(ctx, dst, gva, len);
}

static int io_copy_to(void *ctx, uint64_t gva, const void *src, size_t len)
{
	return copy_to_guest(ctx, gva, src, len);
}

long do_event_channel_op(struct vcpu *v, const uint64_t a[5])
{
	const struct evtchn_guest_io io = {
	    .ctx = v, .copy_from = io_copy_from, .copy_to = io_copy_to};
	struct evtchn_domain *ec = evtglue_port_table(v->d);
	long r;

	if (!ec)
		return -XEN_ENOSYS;
	r = evtchn_hypercall(ec, (unsigned int)a[0], a[1], &io);
	evtchn_domain_put(ec);
	return r;
}

/*
 * GNTTABOP_map_grant_ref from a guest (a guest-side backend): the core has
 * validated and pinned the grant; put the granter's page in the mapper's
 * physmap at host_addr, a guest-physical address (the HVM/PVH convention).
 * The granter is a guest (Dom0 grants nothing: its frames are never RAM), and
 * its domain stays alive while the pin is held.
 */
static int io_map_grant(void *ctx, const struct gnttab_mapping *m)
{
	struct vcpu *v = ctx;
	struct domain *granter = m->owner;

	if (m->dom == 0 || !granter)
		return GNTST_general_error;
	return physmap_map_grant(v->d, m->handle, m->host_addr, granter->vm.memfd, m->gfn,
	                         m->readonly);
}

/* GNTTABOP_unmap_grant_ref: out of the physmap before the core drops the pin. */
static void io_unmap_grant(void *ctx, const struct gnttab_mapping *m)
{
	struct vcpu *v = ctx;

	physmap_unmap_grant(v->d, m->handle);
}

static bool io_preempt(void *ctx)
{
	return hypercall_preempt_check(ctx);
}

/*
 * A batch the core stopped after @done ops goes on as Xen's does: the same
 * cmd (a cache_flush keeps its high bits), uop past the ops done, count
 * less them.  A 32-bit caller's list cannot go on above 4 GiB.
 */
static long gnttab_continue(struct vcpu *v, const uint64_t a[5], long done)
{
	uint64_t next = a[1] + (uint64_t)done * gnttab_op_size((unsigned int)a[0], v->compat);
	const uint64_t args[5] = {a[0], next, (uint32_t)a[2] - (uint64_t)done, a[3], a[4]};

	if (v->compat && next > UINT32_MAX)
		return -XEN_EFAULT;
	return hypercall_create_continuation(v, args);
}

long do_grant_table_op(struct vcpu *v, const uint64_t a[5])
{
	const struct gnttab_guest_io io = {.ctx = v,
	                                   .compat = v->compat,
	                                   .copy_from = io_copy_from,
	                                   .copy_to = io_copy_to,
	                                   .map_grant = io_map_grant,
	                                   .unmap_grant = io_unmap_grant,
	                                   .preempt = io_preempt};
	struct gnttab *gt = evtglue_grant_table(v->d);
	long r;

	if (!gt)
		return -XEN_ENOSYS;
	r = gnttab_hypercall(gt, (unsigned int)a[0], a[1], (uint32_t)a[2], &io);
	gnttab_put(gt);
	return r > 0 ? gnttab_continue(v, a, r) : r;
}
