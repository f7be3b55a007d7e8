/*
 * A small out-of-tree "driver" built against the installed headers only
 * (cc $(pkg-config --cflags shoji) driver.c).  It plays a block frontend
 * and, in the same process, a trivial backend: it grants its ring page,
 * queues reads on a blkif ring, answers them through the back ring using
 * grant copies it describes, and frames a xenstore request.  Exit status 0
 * means every step behaved as the ABI says.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign under -std=c11 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/xen.h>
#include <shoji/errno.h>
#include <shoji/event_channel.h>
#include <shoji/grant_table.h>
#include <shoji/io/blkif.h>
#include <shoji/io/xenbus.h>
#include <shoji/io/xs_wire.h>

#define NR_GRANTS 16

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "driver: FAILED: %s\n", what);
		failures++;
	}
}

/* Grant `frame` to domain `peer`; the flags word is written last. */
static grant_ref_t grant_frame(grant_entry_v1_t *table, grant_ref_t ref, domid_t peer,
                               uint32_t frame, int readonly)
{
	table[ref].frame = frame;
	table[ref].domid = peer;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
	return ref;
}

/* Frame a XS_WRITE request "path\0value" into buf; returns its length. */
static size_t xs_frame_write(char *buf, size_t cap, uint32_t req_id, const char *path,
                             const char *value)
{
	struct xsd_sockmsg hdr;
	size_t plen = strlen(path) + 1, vlen = strlen(value);

	if (sizeof(hdr) + plen + vlen > cap || plen + vlen > XENSTORE_PAYLOAD_MAX)
		return 0;
	hdr.type = XS_WRITE;
	hdr.req_id = req_id;
	hdr.tx_id = 0;
	hdr.len = (uint32_t)(plen + vlen);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), path, plen);
	memcpy(buf + sizeof(hdr) + plen, value, vlen);
	return sizeof(hdr) + hdr.len;
}

/* Map an XS_ERROR payload name to its number, or -1. */
static int xs_error_number(const char *name)
{
	static const struct xsd_errors errors[] = XSD_ERRORS_INITIALIZER;
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strcmp(errors[i].errstring, name) == 0)
			return errors[i].errnum;
	return -1;
}

/* GNTST_* names indexed by -status, built from the header's list. */
#define GNTST_NAME(name, text) #name,
static const char *const gntst_names[] = {GNTTABOP_ERROR_LIST(GNTST_NAME)};

int main(void)
{
	static grant_entry_v1_t gnttab[NR_GRANTS];
	blkif_sring_t *sring = NULL;
	blkif_front_ring_t front;
	blkif_back_ring_t back;
	struct gnttab_copy copy;
	struct xenstore_domain_interface *xs = NULL;
	char msg[128];
	size_t len;
	grant_ref_t ring_ref;
	int notify, work;
	unsigned int i;

	if (posix_memalign((void **)&sring, XEN_PAGE_SIZE, XEN_PAGE_SIZE) != 0)
		return 2;
	xs = calloc(1, sizeof(*xs));
	if (xs == NULL)
		return 2;

	/* Frontend: share the ring page with the backend domain 0. */
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&front, sring, XEN_PAGE_SIZE);
	check(RING_SIZE(&front) == 32, "a one-page blkif ring has 32 slots");
	ring_ref = grant_frame(gnttab, GNTTAB_NR_RESERVED_ENTRIES, 0, 0x1234, 0);
	check((gnttab[ring_ref].flags & GTF_type_mask) == GTF_permit_access, "grant type");

	/* Queue 40 reads, more than the ring holds: only 32 fit. */
	for (i = 0; i < 40 && !RING_FULL(&front); i++) {
		blkif_request_t *req = RING_GET_REQUEST(&front, front.req_prod_pvt);

		memset(req, 0, sizeof(*req));
		req->operation = BLKIF_OP_READ;
		req->nr_segments = 1;
		req->id = i;
		req->sector_number = (blkif_sector_t)i * 8;
		req->seg[0].gref = grant_frame(gnttab, 9 + (i % 7), 0, 0x2000 + i, 0);
		req->seg[0].first_sect = 0;
		req->seg[0].last_sect = 7;
		front.req_prod_pvt++;
	}
	check(i == 32, "RING_FULL stops the frontend at 32 requests");
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	check(notify == 1, "first push notifies the backend");

	/* Backend: answer every request, describing the data copy it would do. */
	BACK_RING_ATTACH(&back, sring, 0, XEN_PAGE_SIZE);
	RING_FINAL_CHECK_FOR_REQUESTS(&back, work);
	check(work == 32, "backend sees 32 requests");
	while (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
		blkif_request_t req;
		blkif_response_t *rsp;

		RING_COPY_REQUEST(&back, back.req_cons, &req);
		back.req_cons++;
		memset(&copy, 0, sizeof(copy));
		copy.source.u.gmfn = 0x9000 + req.sector_number;
		copy.source.domid = DOMID_SELF;
		copy.dest.u.ref = req.seg[0].gref;
		copy.dest.domid = 1;
		copy.dest.offset = (uint16_t)(req.seg[0].first_sect * XEN_BLKIF_SECTOR_SIZE);
		copy.len = (uint16_t)((req.seg[0].last_sect - req.seg[0].first_sect + 1) *
		                      XEN_BLKIF_SECTOR_SIZE);
		copy.flags = GNTCOPY_dest_gref;
		check(copy.len == 4096, "a full-page segment copies 4096 bytes");

		rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
		rsp->id = req.id;
		rsp->operation = req.operation;
		rsp->status = BLKIF_RSP_OKAY;
		back.rsp_prod_pvt++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
	check(notify == 1, "first responses notify the frontend");

	/* Frontend: collect the responses in order. */
	for (i = 0; RING_HAS_UNCONSUMED_RESPONSES(&front); i++) {
		blkif_response_t rsp;

		RING_COPY_RESPONSE(&front, front.rsp_cons, &rsp);
		front.rsp_cons++;
		check(rsp.id == i && rsp.status == BLKIF_RSP_OKAY, "response order and status");
	}
	check(i == 32, "32 responses");
	RING_FINAL_CHECK_FOR_RESPONSES(&front, work);
	check(work == 0, "no responses left");
	check(RING_FREE_REQUESTS(&front) == 32, "ring empty again");

	/* xenstore: frame a write of our state and look up an error name. */
	len = xs_frame_write(msg, sizeof(msg), 7, "device/vbd/768/state", "4");
	check(len == sizeof(struct xsd_sockmsg) + 21 + 1, "xenstore message length");
	check(XenbusStateConnected == 4, "XenbusStateConnected");
	check(xs_error_number("ENOENT") == XEN_ENOENT, "ENOENT in the xsd error table");
	check(xs_error_number("EPERM") == XEN_EPERM, "EPERM in the xsd error table");
	for (i = 0; i < len; i++)
		xs->req[MASK_XENSTORE_IDX(xs->req_prod + i)] = msg[i];
	xs->req_prod += (XENSTORE_RING_IDX)len;
	check(xs->req_prod - xs->req_cons == len, "xenstore ring holds the message");

	check(sizeof(gntst_names) / sizeof(gntst_names[0]) == 1 - GNTST_no_space, "GNTST count");
	check(strcmp(gntst_names[-GNTST_bad_copy_arg], "bad_copy_arg") == 0, "GNTST order");

	printf("driver: %d failure(s); ring-ref %u, %u slots, xs message %zu bytes\n", failures,
	       ring_ref, RING_SIZE(&front), len);
	free(xs);
	free(sring);
	return failures == 0 ? 0 : 1;
}
