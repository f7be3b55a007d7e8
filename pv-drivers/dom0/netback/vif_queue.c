/*
 * vif_queue.c: one queue's tx and rx rings (see vif_queue.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_net.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/libgnttab.h>

#include "pkt_l4.h"
#include "tap.h"
#include "vif_queue.h"

#define PAGE_SIZE    4096u
#define RING_BYTES   4096u         /* one-page rings */
#define TX_ARENA     (512u * 1024) /* a batch of tx packets, each behind its header */
#define RX_ARENA     (256u * 1024) /* a batch of rx frames */
#define MAX_FRAME    (TAP_VNET_HDR_LEN + 65536u)
#define TX_BATCH     64                       /* packets per batch of grant copies */
#define RX_BUDGET    64                       /* frames per rx pass (fair to the other vifs) */
#define RX_MAX_SLOTS (65536u / PAGE_SIZE + 1) /* a 64 KiB GSO frame and its extra slot */

_Static_assert(sizeof(struct virtio_net_hdr) == TAP_VNET_HDR_LEN, "the TAP's vnet header");

struct tx_item {
	struct net_tx_pkt pkt;
	uint32_t off;  /* its header's offset in the arena */
	uint32_t seg0; /* its first copy segment */
};

/* One rx response to write once the batch's copies are done. */
struct rx_plan {
	uint16_t id;
	uint16_t flags;
	uint16_t len;
	int32_t seg;  /* its copy segment; -1: an extra-info slot (in x) */
	uint32_t pkt; /* first plan slot of its frame */
	bool failed;  /* (first slot) a copy of the frame was refused */
	struct netif_extra_info x;
};

struct vif_queue {
	struct vif_queue_config cfg;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	bool broken, paused;
	/* tx */
	struct netif_tx_request win[NET_TX_WINDOW]; /* slots from req_cons on, copied once */
	unsigned int wfill;
	uint8_t *tx_arena;
	bool tx_arena_gnt; /* from the gnttab copy arena (else malloc) */
	uint32_t tx_used;
	struct tx_item items[TX_BATCH];
	unsigned int nitems;
	struct shoji_gnttab_copy_seg tx_segs[TX_BATCH * NET_TX_MAX_FRAGS];
	unsigned int ntx_segs;
	/* rx */
	uint8_t *rx_arena;
	bool rx_arena_gnt;
	uint32_t rx_used;
	struct rx_plan plan[NET_RX_RING_SIZE_1PAGE];
	unsigned int nplan;
	struct shoji_gnttab_copy_seg rx_segs[NET_RX_RING_SIZE_1PAGE];
	unsigned int nrx_segs;
};

static void queue_break(struct vif_queue *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void queue_break(struct vif_queue *q, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (q->broken)
		return;
	q->broken = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	q->cfg.broken(q->cfg.arg, why);
}

/* --- tx --- */

/* Answer every slot of @p: its data slots with @status, its extra-info slots NULL. */
static void tx_respond(struct vif_queue *q, const struct net_tx_pkt *p, int16_t status)
{
	for (unsigned int i = 0; i < p->nslots; i++) {
		netif_tx_response_t *rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);

		rsp->id = p->id[i];
		rsp->status = (p->extra_mask >> i) & 1 ? NETIF_RSP_NULL : status;
		q->tx.rsp_prod_pvt++;
	}
}

/* The virtio-net header of the packet behind @h: checksum and GSO requests.  -1: unusable. */
static int tx_vnet_hdr(const struct net_tx_pkt *p, struct virtio_net_hdr *h)
{
	const uint8_t *frame = (const uint8_t *)(h + 1);
	struct pkt_l4 l4;

	memset(h, 0, sizeof(*h));
	if (!p->csum_blank && p->gso_type == XEN_NETIF_GSO_TYPE_NONE) {
		if (p->data_validated)
			h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}
	if (pkt_l4_find(frame, p->len, &l4) < 0)
		return -1;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = l4.start;
	h->csum_offset = l4.csum_off;
	if (p->gso_type == XEN_NETIF_GSO_TYPE_NONE)
		return 0;
	if (l4.proto != 6 || l4.ipv6 != (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV6))
		return -1;
	h->gso_type = l4.ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h->gso_size = p->gso_size;
	h->hdr_len = l4.hdr_len;
	return 0;
}

/*
 * Copy the batch's packets out of the guest, write them to the TAP, answer
 * them, and publish every response written since the last flush (dropped
 * packets' too): the published index is always at a packet's end.
 */
static void tx_flush(struct vif_queue *q)
{
	struct vif_stats *st = q->cfg.stats;
	int notify;

	if (q->nitems > 0 && shoji_gnttab_grant_copy(q->cfg.gnttab, q->ntx_segs, q->tx_segs) < 0)
		for (unsigned int i = 0; i < q->ntx_segs; i++)
			q->tx_segs[i].status = GNTST_general_error;
	for (unsigned int i = 0; i < q->nitems; i++) {
		struct tx_item *it = &q->items[i];
		struct virtio_net_hdr *h = (struct virtio_net_hdr *)(void *)(q->tx_arena + it->off);
		int16_t status = NETIF_RSP_OKAY;

		for (unsigned int s = 0; s < it->pkt.nfrags; s++)
			if (q->tx_segs[it->seg0 + s].status != GNTST_okay)
				status = NETIF_RSP_ERROR;
		if (status == NETIF_RSP_OKAY && tx_vnet_hdr(&it->pkt, h) < 0) {
			q->cfg.bad_packet(q->cfg.arg,
			                  "checksum or GSO asked of a frame that is not TCP/UDP");
			status = NETIF_RSP_ERROR;
		} else if (status != NETIF_RSP_OKAY) {
			q->cfg.bad_packet(q->cfg.arg, "a grant the guest did not give");
		}
		if (status == NETIF_RSP_OKAY &&
		    write(q->cfg.tap_fd, h, TAP_VNET_HDR_LEN + it->pkt.len) < 0) {
			status = NETIF_RSP_DROPPED;
			st->tx_dropped++;
		} else if (status == NETIF_RSP_OKAY) {
			st->tx_packets++;
			st->tx_bytes += it->pkt.len;
		} else {
			st->tx_errors++;
		}
		tx_respond(q, &it->pkt, status);
	}
	q->nitems = 0;
	q->ntx_segs = 0;
	q->tx_used = 0;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		q->cfg.notify_tx(q->cfg.arg);
}

/* Queue the copies of checked packet @p. */
static void tx_add(struct vif_queue *q, const struct net_tx_pkt *p)
{
	uint32_t need = (TAP_VNET_HDR_LEN + p->len + 15u) & ~15u;
	struct tx_item *it;
	uint8_t *data;

	if (q->nitems == TX_BATCH || q->tx_used + need > TX_ARENA)
		tx_flush(q);
	it = &q->items[q->nitems++];
	it->pkt = *p;
	it->off = q->tx_used;
	it->seg0 = q->ntx_segs;
	q->tx_used += need;
	data = q->tx_arena + it->off + TAP_VNET_HDR_LEN;
	for (unsigned int i = 0; i < p->nfrags; i++) {
		q->tx_segs[q->ntx_segs++] = (struct shoji_gnttab_copy_seg){
		    .domid = q->cfg.domid,
		    .ref = p->frag[i].gref,
		    .offset = p->frag[i].offset,
		    .len = p->frag[i].len,
		    .buf = data,
		};
		data += p->frag[i].len;
	}
}

/* Take the packets between req_cons and @rp.  false: wait for more (or broken). */
static bool tx_take(struct vif_queue *q, RING_IDX rp)
{
	while (q->tx.req_cons != rp && !q->broken) {
		struct net_tx_pkt p;

		while (q->wfill < NET_TX_WINDOW && q->tx.req_cons + q->wfill != rp) {
			RING_COPY_REQUEST(&q->tx, q->tx.req_cons + q->wfill, &q->win[q->wfill]);
			q->wfill++;
		}
		switch (netif_check_tx(q->win, q->wfill, &q->cfg.tx, &p)) {
		case NET_TX_INCOMPLETE:
			return false;
		case NET_TX_CORRUPT:
			queue_break(q, "%s", p.why);
			return false;
		case NET_TX_DROP:
			q->cfg.bad_packet(q->cfg.arg, p.why);
			q->cfg.stats->tx_errors++;
			tx_respond(q, &p, NETIF_RSP_ERROR);
			break;
		case NET_TX_OK:
			tx_add(q, &p);
			break;
		}
		q->tx.req_cons += p.nslots;
		q->wfill -= p.nslots;
		memmove(q->win, q->win + p.nslots, q->wfill * sizeof(q->win[0]));
	}
	return true;
}

void vif_queue_tx_kick(struct vif_queue *q)
{
	for (;;) {
		RING_IDX rp;
		int more;

		if (q->broken)
			return;
		rp = __atomic_load_n(&q->tx.sring->req_prod, __ATOMIC_RELAXED);
		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&q->tx, rp)) {
			tx_flush(q);
			queue_break(q,
			            "tx req_prod %" PRIu32
			            " is more than %u requests ahead of rsp_prod %" PRIu32,
			            rp, RING_SIZE(&q->tx), q->tx.rsp_prod_pvt);
			return;
		}
		if (!tx_take(q, rp)) {
			/* A chain not complete yet: be told of any new slot. */
			tx_flush(q);
			if (q->broken)
				return;
			q->tx.sring->req_event = rp + 1;
			xen_mb();
			if (__atomic_load_n(&q->tx.sring->req_prod, __ATOMIC_RELAXED) != rp)
				continue;
			return;
		}
		tx_flush(q);
		RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, more);
		if (!more)
			return;
	}
}

/* --- rx --- */

/* Write the planned responses (their copies done) and tell the guest. */
static void rx_flush(struct vif_queue *q)
{
	struct vif_stats *st = q->cfg.stats;
	int notify;

	if (q->nplan == 0)
		return;
	if (q->nrx_segs && shoji_gnttab_grant_copy(q->cfg.gnttab, q->nrx_segs, q->rx_segs) < 0)
		for (unsigned int i = 0; i < q->nrx_segs; i++)
			q->rx_segs[i].status = GNTST_general_error;
	for (unsigned int i = 0; i < q->nplan; i++) {
		struct rx_plan *p = &q->plan[i];

		if (p->seg >= 0 && q->rx_segs[p->seg].status != GNTST_okay)
			q->plan[p->pkt].failed = true;
	}
	for (unsigned int i = 0; i < q->nplan; i++) {
		struct rx_plan *p = &q->plan[i];
		bool failed = q->plan[p->pkt].failed;
		void *slot = RING_GET_RESPONSE(&q->rx, q->rx.rsp_prod_pvt);

		q->rx.rsp_prod_pvt++;
		if (p->seg < 0) {
			memcpy(slot, &p->x, sizeof(p->x));
			continue;
		}
		netif_rx_response_t rsp = {
		    .id = p->id,
		    .offset = 0,
		    .flags = p->flags,
		    .status = failed ? NETIF_RSP_ERROR : (int16_t)p->len,
		};
		memcpy(slot, &rsp, sizeof(rsp));
		if (p->pkt == i) {
			if (failed)
				st->rx_errors++;
			else
				st->rx_packets++;
		}
		if (!failed)
			st->rx_bytes += p->len;
	}
	q->nplan = 0;
	q->nrx_segs = 0;
	q->rx_used = 0;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		q->cfg.notify_rx(q->cfg.arg);
}

/* Take one rx request (copied once): its id and grant. */
static netif_rx_request_t rx_request(struct vif_queue *q)
{
	netif_rx_request_t r;

	RING_COPY_REQUEST(&q->rx, q->rx.req_cons, &r);
	q->rx.req_cons++;
	return r;
}

/* Plan frame @len bytes at @hdr in the arena into the guest's buffers. */
static void rx_plan_frame(struct vif_queue *q, const struct virtio_net_hdr *hdr, uint32_t len)
{
	const uint8_t *data = (const uint8_t *)(hdr + 1);
	uint32_t nslots = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t first = q->nplan;
	uint16_t flags = 0;
	bool gso =
	    hdr->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 || hdr->gso_type == VIRTIO_NET_HDR_GSO_TCPV6;

	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		flags = NETRXF_csum_blank | NETRXF_data_validated;
	else if (hdr->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		flags = NETRXF_data_validated;
	for (uint32_t i = 0; i < nslots; i++) {
		netif_rx_request_t r = rx_request(q);
		uint32_t chunk = len - i * PAGE_SIZE < PAGE_SIZE ? len - i * PAGE_SIZE : PAGE_SIZE;
		struct rx_plan *p = &q->plan[q->nplan++];

		*p = (struct rx_plan){.id = r.id,
		                      .len = (uint16_t)chunk,
		                      .flags = i == 0 ? flags : 0,
		                      .seg = (int32_t)q->nrx_segs,
		                      .pkt = first};
		if (i + 1 < nslots)
			p->flags |= NETRXF_more_data;
		q->rx_segs[q->nrx_segs++] = (struct shoji_gnttab_copy_seg){
		    .domid = q->cfg.domid,
		    .ref = r.gref,
		    .len = (uint16_t)chunk,
		    .to_guest = 1,
		    .buf = (void *)(uintptr_t)(data + (size_t)i * PAGE_SIZE),
		};
		if (i == 0 && gso) { /* the GSO extra goes in the slot after the first */
			struct rx_plan *x = &q->plan[q->nplan++];

			p->flags |= NETRXF_extra_info;
			r = rx_request(q);
			*x = (struct rx_plan){.id = r.id, .seg = -1, .pkt = first};
			x->x.type = XEN_NETIF_EXTRA_TYPE_GSO;
			x->x.u.gso.size = hdr->gso_size;
			x->x.u.gso.type = hdr->gso_type == VIRTIO_NET_HDR_GSO_TCPV6
			                      ? XEN_NETIF_GSO_TYPE_TCPV6
			                      : XEN_NETIF_GSO_TYPE_TCPV4;
		}
	}
}

/* Rx slots the largest frame the TAP may hand us takes. */
static unsigned int rx_need(const struct vif_queue *q)
{
	if (q->cfg.rx_gso)
		return RX_MAX_SLOTS;
	return q->cfg.rx_sg ? RX_MAX_SLOTS - 1 : 1;
}

static void rx_set_paused(struct vif_queue *q, bool paused)
{
	if (q->paused == paused)
		return;
	q->paused = paused;
	q->cfg.rx_pause(q->cfg.arg, paused);
}

void vif_queue_rx_kick(struct vif_queue *q)
{
	unsigned int need = rx_need(q);

	for (int budget = RX_BUDGET; budget > 0 && !q->broken; budget--) {
		RING_IDX rp = __atomic_load_n(&q->rx.sring->req_prod, __ATOMIC_RELAXED);
		struct virtio_net_hdr *hdr;
		ssize_t n;
		uint32_t len;

		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&q->rx, rp)) {
			rx_flush(q);
			queue_break(q,
			            "rx req_prod %" PRIu32
			            " is more than %u requests ahead of rsp_prod %" PRIu32,
			            rp, RING_SIZE(&q->rx), q->rx.rsp_prod_pvt);
			return;
		}
		if (rp - q->rx.req_cons < need) {
			/* Too few buffers: be told when there are enough, stop reading the TAP. */
			rx_flush(q);
			q->rx.sring->req_event = q->rx.req_cons + need;
			xen_mb();
			rp = __atomic_load_n(&q->rx.sring->req_prod, __ATOMIC_RELAXED);
			if (rp - q->rx.req_cons < need) {
				rx_set_paused(q, true);
				return;
			}
		}
		rx_set_paused(q, false);
		if (q->rx_used + MAX_FRAME > RX_ARENA || q->nplan + need > RING_SIZE(&q->rx))
			rx_flush(q);
		hdr = (struct virtio_net_hdr *)(void *)(q->rx_arena + q->rx_used);
		n = read(q->cfg.tap_fd, hdr, MAX_FRAME);
		if (n < TAP_VNET_HDR_LEN)
			break; /* EAGAIN: nothing more */
		len = (uint32_t)n - TAP_VNET_HDR_LEN;
		if (len == 0 || (len > PAGE_SIZE && !q->cfg.rx_sg) || len > 65535) {
			q->cfg.stats->rx_errors++;
			continue;
		}
		rx_plan_frame(q, hdr, len);
		q->rx_used += ((uint32_t)n + 15u) & ~15u;
	}
	rx_flush(q);
}

/* --- life --- */

static uint8_t *arena(struct vif_queue *q, size_t len, bool *gnt)
{
	uint8_t *p = shoji_gnttab_copy_buf_alloc(q->cfg.gnttab, len);

	*gnt = p != NULL;
	return p ? p : malloc(len);
}

static void arena_free(struct vif_queue *q, uint8_t *p, bool gnt)
{
	if (gnt)
		shoji_gnttab_copy_buf_free(q->cfg.gnttab, p);
	else
		free(p);
}

struct vif_queue *vif_queue_new(const struct vif_queue_config *cfg)
{
	struct vif_queue *q;

	if (!cfg->tx_sring || !cfg->rx_sring || !cfg->gnttab || cfg->tap_fd < 0 || !cfg->stats ||
	    !cfg->notify_tx || !cfg->notify_rx || !cfg->rx_pause || !cfg->broken ||
	    !cfg->bad_packet) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	BACK_RING_ATTACH(&q->tx, cfg->tx_sring,
	                 __atomic_load_n(&cfg->tx_sring->rsp_prod, __ATOMIC_RELAXED), RING_BYTES);
	BACK_RING_ATTACH(&q->rx, cfg->rx_sring,
	                 __atomic_load_n(&cfg->rx_sring->rsp_prod, __ATOMIC_RELAXED), RING_BYTES);
	q->tx_arena = arena(q, TX_ARENA, &q->tx_arena_gnt);
	q->rx_arena = arena(q, RX_ARENA, &q->rx_arena_gnt);
	if (!q->tx_arena || !q->rx_arena) {
		vif_queue_free(q);
		errno = ENOMEM;
		return NULL;
	}
	return q;
}

void vif_queue_free(struct vif_queue *q)
{
	if (!q)
		return;
	if (q->tx_arena)
		arena_free(q, q->tx_arena, q->tx_arena_gnt);
	if (q->rx_arena)
		arena_free(q, q->rx_arena, q->rx_arena_gnt);
	free(q);
}
