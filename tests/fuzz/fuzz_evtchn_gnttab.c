/*
 * libFuzzer target: random sequences of event channel and grant table
 * operations from two fake guests (domains 1 and 2) and a privileged
 * domain 0, through the same hypercall entry points shoji-hv uses, on fake
 * guest memory.  The guests may switch to the FIFO event ABI (control
 * blocks and event array pages anywhere in their memory, even overlapping)
 * and scribble over any of their memory at any time, as a hostile guest
 * writes its event words, LINK fields and queue heads.  Besides the
 * sanitizers it checks after every step that every interdomain channel is
 * bound at both ends to each other.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "evtchn.h"
#include "gnttab.h"

#define NDOMS  3
#define NPAGES 16
#define PAGE   4096
#define ARGBUF 512

struct fdom {
	struct evtchn_domain *ev;
	struct gnttab *gt;
	uint8_t *mem;        /* NPAGES of guest RAM */
	uint8_t arg[ARGBUF]; /* the guest buffer hypercall arguments live in */
};

static struct fdom doms[NDOMS];

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct input *in)
{
	uint8_t b = 0;

	if (in->n) {
		b = *in->p++;
		in->n--;
	}
	return b;
}

static uint32_t u32(struct input *in)
{
	uint32_t v = byte(in);

	v |= (uint32_t)byte(in) << 8;
	return v;
}

static void fill(struct input *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memset(dst, 0, len);
	memcpy(dst, in->p, k);
	in->p += k;
	in->n -= k;
}

static struct evtchn_domain *ev_get(void *opaque, domid_t domid)
{
	if (domid >= NDOMS || !doms[domid].ev)
		return NULL;
	evtchn_domain_get(doms[domid].ev);
	return doms[domid].ev;
}

static struct gnttab *gt_get(void *opaque, domid_t domid)
{
	if (domid >= NDOMS || !doms[domid].gt)
		return NULL;
	gnttab_get(doms[domid].gt);
	return doms[domid].gt;
}

static void kick(void *owner, uint32_t vcpu)
{
}

static void notify(void *owner, evtchn_port_t port)
{
}

static void *gfn_to_host(void *owner, uint64_t gfn)
{
	uint8_t *mem = owner;

	return gfn < NPAGES ? mem + gfn * PAGE : NULL;
}

/* Guest memory outlives the domain while others still hold its grant table. */
static void release_mem(void *owner)
{
	free(owner);
}

static const struct evtchn_delivery_ops guest_ops = {.kick_vcpu = kick};
static const struct evtchn_mem_ops ev_mem = {.gfn_to_host = gfn_to_host};
static const struct evtchn_delivery_ops dom0_ops = {.notify_port = notify};
static const struct gnttab_mem_ops mem_ops = {.gfn_to_host = gfn_to_host, .release = release_mem};
static const struct evtchn_world ev_world = {.get_domain = ev_get};
static const struct gnttab_world gt_world = {.get_table = gt_get};

/* Guest addresses are offsets into the domain's argument buffer. */
static int io_from(void *ctx, void *dst, uint64_t gva, size_t len)
{
	struct fdom *f = ctx;

	if (gva > ARGBUF || len > ARGBUF - gva)
		return -XEN_EFAULT;
	memcpy(dst, f->arg + gva, len);
	return 0;
}

static int io_to(void *ctx, uint64_t gva, const void *src, size_t len)
{
	struct fdom *f = ctx;

	if (gva > ARGBUF || len > ARGBUF - gva)
		return -XEN_EFAULT;
	memcpy(f->arg + gva, src, len);
	return 0;
}

static int map_grant(void *ctx, const struct gnttab_mapping *m)
{
	/* Touch the page the way a mapping would. */
	volatile uint8_t *p = m->page;

	(void)p[0];
	(void)p[PAGE - 1];
	return GNTST_okay;
}

static void unmap_grant(void *ctx, const struct gnttab_mapping *m)
{
}

/* Domain @id's highest port: guest 1 has few, guest 2 may come back with more than 4095. */
static uint32_t max_port_of[NDOMS] = {0, 70, 0};

static void create(domid_t id)
{
	struct fdom *f = &doms[id];
	struct evtchn_domain_params ep = {.domid = id,
	                                  .max_vcpus = 2,
	                                  .max_port = max_port_of[id],
	                                  .privileged = id == 0,
	                                  .ops = id == 0 ? &dom0_ops : &guest_ops,
	                                  .mem = id == 0 ? NULL : &ev_mem};
	struct gnttab_params gp = {.domid = id,
	                           .max_frames = 4,
	                           .max_maptrack = 8,
	                           .privileged = id == 0,
	                           .mem = &mem_ops};

	f->mem = calloc(NPAGES, PAGE);
	if (!f->mem)
		abort();
	gp.owner = f->mem;
	ep.owner = f->mem;
	f->ev = evtchn_domain_create(&ev_world, &ep);
	f->gt = gnttab_create(&gt_world, &gp);
	if (!f->ev || !f->gt)
		abort();
	if (id != 0)
		evtchn_set_shared_info(f->ev, (struct shared_info *)(void *)f->mem);
}

static void destroy(domid_t id)
{
	struct fdom *f = &doms[id];

	if (f->ev)
		evtchn_domain_destroy(f->ev);
	if (f->gt)
		gnttab_destroy(f->gt); /* frees f->mem once unreferenced */
	f->ev = NULL;
	f->gt = NULL;
	f->mem = NULL;
}

/* Every interdomain port's peer must be interdomain and point back. */
static void check_channels(void)
{
	domid_t d;
	evtchn_port_t p;

	for (d = 0; d < NDOMS; d++) {
		if (!doms[d].ev)
			continue;
		for (p = 1; p < 130; p++) {
			struct evtchn_status st = {.dom = d, .port = p}, peer;

			if (evtchn_status(doms[0].ev, &st) != 0 ||
			    st.status != EVTCHNSTAT_interdomain)
				continue;
			peer = (struct evtchn_status){.dom = st.u.interdomain.dom,
			                              .port = st.u.interdomain.port};
			if (evtchn_status(doms[0].ev, &peer) != 0 ||
			    peer.status != EVTCHNSTAT_interdomain || peer.u.interdomain.dom != d ||
			    peer.u.interdomain.port != p)
				abort();
		}
	}
}

static void step(struct input *in)
{
	uint8_t op = byte(in);
	domid_t id = byte(in) % NDOMS;
	struct fdom *f = &doms[id];
	struct evtchn_guest_io eio = {.ctx = f, .copy_from = io_from, .copy_to = io_to};
	struct gnttab_guest_io gio = {.ctx = f,
	                              .copy_from = io_from,
	                              .copy_to = io_to,
	                              .map_grant = map_grant,
	                              .unmap_grant = unmap_grant};

	if (!f->ev) {
		create(id);
		return;
	}
	switch (op % 14) {
	case 0:
	case 1:
	case 2: /* event_channel_op with guest-chosen argument bytes */
		fill(in, f->arg, 32);
		evtchn_hypercall(f->ev, byte(in) % 16, byte(in) % 40, &eio);
		break;
	case 3: /* grant_table_op */
		fill(in, f->arg, 160);
		gnttab_hypercall(f->gt, byte(in) % 14, byte(in) % 64, byte(in) % 5, &gio);
		break;
	case 4: /* the guest writes a grant entry in a placed frame */
	{
		uint32_t off = (u32(in) % (PAGE / 8)) * 8;

		fill(in, f->mem + PAGE + off, 8);
		break;
	}
	case 5: /* add_to_physmap(XENMAPSPACE_grant_table) */
	{
		uint32_t idx = byte(in) % 6, gfn = 1 + byte(in) % (NPAGES - 1);

		gnttab_map_frame(f->gt, idx, gfn, f->mem + (uint64_t)gfn * PAGE);
		break;
	}
	case 6: /* hypervisor side: VIRQs, poll checks */
		evtchn_send_virq(f->ev, byte(in) % 3, byte(in) % 26);
		evtchn_port_is_pending(f->ev, u32(in) % 6000);
		break;
	case 7: /* the guest masks/unmasks or acks ports directly in shared_info */
		if (id != 0) {
			uint32_t w = byte(in) % 64;

			fill(in, (uint8_t *)f->mem + 2048 + w * 8, 8);
		}
		break;
	case 8: /* shared pages move */
		if (id != 0) {
			uint8_t b = byte(in);

			if (b & 1)
				evtchn_set_shared_info(f->ev, NULL);
			else
				evtchn_set_shared_info(f->ev, (struct shared_info *)(void *)f->mem);
			evtchn_set_vcpu_info(f->ev, b >> 1 & 1,
			                     b & 4 ? (struct vcpu_info *)(void *)(f->mem + 8 * PAGE)
			                           : NULL);
		}
		break;
	case 9: /* a guest domain dies and comes back */
		if (id != 0 && (byte(in) & 7) == 0) {
			if (id == 2)
				max_port_of[id] = byte(in) & 1 ? 4200 : 0;
			destroy(id);
			create(id);
		}
		break;
	case 10: /* EVTCHNOP_init_control with a frame of its memory (or just past it) */
	{
		uint8_t how = byte(in);
		struct evtchn_init_control ic = {.control_gfn = byte(in) % (NPAGES + 1),
		                                 .offset = u32(in) % (PAGE + 16),
		                                 .vcpu = byte(in) % 3};
		struct evtchn_expand_array ea = {.array_gfn = ic.control_gfn + 1};

		if (how & 1) {
			/* Linux's way: every vCPU a block in one page, then the array. */
			ic.offset &= ~7u;
			ic.offset %= PAGE - 2 * 128;
			for (ic.vcpu = 0; ic.vcpu < 2; ic.vcpu++, ic.offset += 128)
				evtchn_init_control(f->ev, &ic);
			evtchn_expand_array(f->ev, &ea);
		} else {
			evtchn_init_control(f->ev, &ic);
		}
		break;
	}
	case 11: /* EVTCHNOP_expand_array, as often as it likes */
	{
		struct evtchn_expand_array ea = {.array_gfn = byte(in) % (NPAGES + 1)};
		unsigned int n = 1 + byte(in) % 8;

		while (n--)
			evtchn_expand_array(f->ev, &ea);
		break;
	}
	case 12: /* the guest writes a word anywhere in its memory: event words, LINK, head[] */
		if (id != 0) {
			uint32_t *w =
			    (uint32_t *)(void *)(f->mem + (u32(in) % (NPAGES * PAGE / 4)) * 4);
			uint8_t how = byte(in) % 4;

			if (how == 0) /* anything */
				__atomic_store_n(w, u32(in) | (uint32_t)u32(in) << 16,
				                 __ATOMIC_SEQ_CST);
			else if (how == 1) /* consumes an event: LINKED and LINK cleared */
				__atomic_fetch_and(
				    w, ~(1u << EVTCHN_FIFO_LINKED | EVTCHN_FIFO_LINK_MASK),
				    __ATOMIC_SEQ_CST);
			else if (how == 2) /* handles it */
				__atomic_fetch_and(w, ~(1u << EVTCHN_FIFO_PENDING),
				                   __ATOMIC_SEQ_CST);
			else /* masks it */
				__atomic_fetch_or(w, 1u << EVTCHN_FIFO_MASKED, __ATOMIC_SEQ_CST);
		}
		break;
	case 13: /* an IPI, then priorities, unmask and sends on ports the guest names */
	{
		struct evtchn_bind_ipi ipi = {.vcpu = byte(in) % 2};
		struct evtchn_set_priority sp = {.port = u32(in) % 140, .priority = byte(in) % 18};

		if (evtchn_bind_ipi(f->ev, &ipi) == 0 && (sp.priority & 1))
			sp.port = ipi.port;
		evtchn_set_priority(f->ev, &sp);
		evtchn_send(f->ev, sp.port);
		evtchn_unmask(f->ev, sp.port);
		evtchn_send(f->ev, sp.port);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	domid_t id;
	int steps = 0;

	max_port_of[2] = 0;
	for (id = 0; id < NDOMS; id++)
		create(id);
	while (in.n && steps++ < 200) {
		step(&in);
		check_channels();
	}
	for (id = NDOMS; id-- > 0;)
		destroy(id);
	return 0;
}
