/*
 * dom0-gntcopy SOCKET GUEST: Dom0 grant copies through the copy arena,
 * against tests/guests/gnttab-dom0.  The page protocol of that guest runs
 * with grant copies instead of stores (a read-only mapping is held so that
 * the guest's end-access still fails meanwhile, and serves as a second view
 * of the page):
 *  - copies into the grant from an ordinary buffer (staged) and from a copy
 *    buffer (in place), checked through the mapping and by the guest;
 *  - copies from the grant into both kinds of buffer, checked;
 *  - one batch mixing good and bad segments, each with its GNTST status;
 *  - batches larger than one message (512 segments) both ways, checked;
 *  - a raw control-socket client that asks for copies outside its arena
 *    (each refused with GNTST_bad_virt_addr, nothing written), for bad
 *    arenas, and for segment arrays outside the arena or malformed
 *    requests (refused as a whole).
 * Prints "dom0-gntcopy: PASS".
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <shoji/grant_table.h>
#include <shoji/libgnttab.h>

#include "proto/hv-ctrl.h"
#include "dom0-util.h"
#include "proto/hv-dom0.h"

#define DOM0_WROTE  0xd0d0d0d0u
#define GUEST_WROTE 0x6e6e6e6eu
#define PAGE        4096u
#define BIG         5000u /* segments in the large batches (two requests) */
#define PAGES       1200u /* whole pages in one batch (three requests' staging) */

static unsigned int domid, ref;

static void copy(struct shoji_gnttab *gt, uint32_t n, struct shoji_gnttab_copy_seg *segs)
{
	uint32_t i;

	if (shoji_gnttab_grant_copy(gt, n, segs) < 0)
		dom0_fail("grant_copy: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (segs[i].status != GNTST_okay)
			dom0_fail("grant_copy segment %u: status %d", i, segs[i].status);
}

static struct shoji_gnttab_copy_seg seg(uint16_t offset, uint16_t len, int to_guest, void *buf)
{
	return (struct shoji_gnttab_copy_seg){.domid = domid,
	                                      .ref = ref,
	                                      .offset = offset,
	                                      .len = len,
	                                      .to_guest = to_guest,
	                                      .buf = buf};
}

/* Bytes of @p[from, to) that are not (i & 0xff) ^ @x. */
static unsigned int pattern_errors(const volatile uint8_t *p, unsigned int from, unsigned int to,
                                   uint8_t x)
{
	unsigned int i, bad = 0;

	for (i = from; i < to; i++)
		if (p[i - from] != (uint8_t)((i & 0xff) ^ x))
			bad++;
	return bad;
}

/* Phase 1: the 0xa5 pattern and the marker go in by grant copy; the mapping shows them. */
static void write_pattern(struct shoji_gnttab *gt, const volatile uint8_t *view, uint8_t *cbuf)
{
	static uint8_t plain[PAGE];
	struct shoji_gnttab_copy_seg s[2];
	uint32_t marker = DOM0_WROTE;
	unsigned int i;

	for (i = 4; i < PAGE; i++) {
		plain[i] = (uint8_t)((i & 0xff) ^ 0xa5);
		cbuf[i] = plain[i];
	}
	s[0] = seg(4, 2044, 1, plain + 4);      /* staged through the arena */
	s[1] = seg(2048, 2048, 1, cbuf + 2048); /* in place */
	copy(gt, 2, s);
	if (pattern_errors(view + 4, 4, PAGE, 0xa5))
		dom0_fail("the mapping does not show what was copied in");
	s[0] = seg(0, 4, 1, &marker);
	copy(gt, 1, s);
}

/* Phase 2: poll the guest's marker by grant copy, then read its reply both ways. */
static void read_reply(struct shoji_gnttab *gt, struct dom0_guest *g, uint8_t *cbuf)
{
	static uint8_t plain[PAGE];
	struct shoji_gnttab_copy_seg s[2];
	uint64_t deadline = dom0_now_ns() + 60000000000ULL;
	uint32_t marker = 0;

	while (marker != GUEST_WROTE) {
		if (dom0_now_ns() > deadline)
			dom0_fail("guest never wrote its marker; console:\n%s", g->con);
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		s[0] = seg(0, 4, 0, &marker);
		copy(gt, 1, s);
	}
	memset(plain, 0, sizeof(plain));
	memset(cbuf, 0, PAGE);
	s[0] = seg(0, PAGE, 0, plain);
	s[1] = seg(0, PAGE, 0, cbuf);
	copy(gt, 2, s);
	if (pattern_errors(plain + 4, 4, PAGE, 0x3c) || pattern_errors(cbuf + 4, 4, PAGE, 0x3c))
		dom0_fail("the guest's reply differs when copied out");
}

/* Phase 3: one batch of good and bad segments; each gets its own status. */
static void mixed_batch(struct shoji_gnttab *gt, const volatile uint8_t *view)
{
	static const struct {
		uint32_t domid; /* 0: the guest */
		uint32_t ref;   /* 0: the granted ref */
		uint16_t offset, len;
		int to_guest;
		int16_t want;
	} cases[] = {
	    {0, 0, 100, 16, 0, GNTST_okay},
	    {0, 1u << 20, 0, 16, 0, GNTST_bad_gntref}, /* beyond the table */
	    {0x7000, 0, 0, 16, 0, GNTST_bad_domain},   /* no such domain */
	    {0x10000, 0, 0, 16, 0, GNTST_bad_domain},  /* not a domid */
	    {0xffff, 0, 0, 16, 0, GNTST_bad_domain},   /* DOMID_INVALID */
	    {0, 0, 4000, 200, 0, GNTST_bad_copy_arg},  /* crosses the page */
	    {0, 0, 0, 5000, 0, GNTST_bad_copy_arg},    /* longer than a page */
	    {0, 0, 200, 16, 1, GNTST_okay},            /* write between bad ones */
	    {0, 2, 0, 16, 1, GNTST_general_error},     /* a reserved, unused entry */
	    {0, 0, 4000, 96, 0, GNTST_okay},           /* ends exactly at the page end */
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct shoji_gnttab_copy_seg s[N];
	static uint8_t bufs[N][5000];
	unsigned int i;

	for (i = 0; i < N; i++) {
		memset(bufs[i], 0x5a, sizeof(bufs[i]));
		s[i] = seg(cases[i].offset, cases[i].len, cases[i].to_guest, bufs[i]);
		if (cases[i].domid)
			s[i].domid = cases[i].domid;
		if (cases[i].ref)
			s[i].ref = cases[i].ref;
	}
	if (shoji_gnttab_grant_copy(gt, N, s) < 0)
		dom0_fail("mixed batch: %s", strerror(errno));
	for (i = 0; i < N; i++)
		if (s[i].status != cases[i].want)
			dom0_fail("mixed batch segment %u: status %d, want %d", i, s[i].status,
			          cases[i].want);
	if (memcmp(bufs[0], (const uint8_t *)view + 100, 16) ||
	    memcmp(bufs[9], (const uint8_t *)view + 4000, 96))
		dom0_fail("mixed batch: good reads differ from the page");
	if (memcmp((const uint8_t *)view + 200, bufs[7], 16))
		dom0_fail("mixed batch: the good write did not land");
	for (i = 0; i < 5000; i++)
		if (bufs[1][i] != 0x5a || bufs[5][i] != 0x5a)
			dom0_fail("mixed batch: a refused segment wrote its buffer");
}

/* Phase 4: batches of several requests, both directions, both buffer kinds. */
static void large_batches(struct shoji_gnttab *gt, const volatile uint8_t *view)
{
	static struct shoji_gnttab_copy_seg s[BIG];
	static uint8_t plain[BIG][16], page[PAGE], pages[PAGES][PAGE];
	uint8_t *cbuf = shoji_gnttab_copy_buf_alloc(gt, BIG * 16);
	unsigned int i, off;

	if (!cbuf)
		dom0_fail("copy_buf_alloc: %s", strerror(errno));
	/* In: 16-byte records, record i at (i * 16) % PAGE holds i; the last writer wins. */
	for (i = 0; i < BIG; i++) {
		memset(cbuf + i * 16, (int)(i & 0xff), 16);
		s[i] = seg((uint16_t)(i * 16 % PAGE), 16, 1, cbuf + i * 16);
	}
	copy(gt, BIG, s);
	for (i = 0; i < PAGE / 16; i++) {
		unsigned int last = i + (BIG - 1 - i) / (PAGE / 16) * (PAGE / 16);

		for (off = 0; off < 16; off++)
			if (view[i * 16 + off] != (uint8_t)last)
				dom0_fail("large batch in: byte %u is %u, want %u", i * 16 + off,
				          view[i * 16 + off], last & 0xff);
	}
	/* Out, to ordinary buffers (staged) and to the copy buffer, in one batch. */
	memcpy(page, (const uint8_t *)view, PAGE);
	memset(plain, 0, sizeof(plain));
	memset(cbuf, 0, BIG * 16);
	for (i = 0; i < BIG; i++)
		s[i] = seg((uint16_t)(i * 16 % PAGE), 16, 0, i % 2 ? plain[i] : cbuf + i * 16);
	copy(gt, BIG, s);
	for (i = 0; i < BIG; i++)
		if (memcmp(i % 2 ? plain[i] : cbuf + i * 16, page + i * 16 % PAGE, 16))
			dom0_fail("large batch out: record %u differs", i);
	/* Whole pages into ordinary buffers: more than one batch's staging room. */
	for (i = 0; i < PAGES; i++) {
		memset(pages[i], 0, PAGE);
		s[i] = seg(0, PAGE, 0, pages[i]);
	}
	copy(gt, PAGES, s);
	for (i = 0; i < PAGES; i++)
		if (memcmp(pages[i], page, PAGE))
			dom0_fail("large batch of pages: page %u differs", i);
	if (shoji_gnttab_copy_buf_free(gt, cbuf) < 0)
		dom0_fail("copy_buf_free: %s", strerror(errno));
	if (shoji_gnttab_copy_buf_free(gt, cbuf) == 0 || errno != EINVAL)
		dom0_fail("a second copy_buf_free succeeded");
}

/* --- A raw client: what shoji-hv must refuse whatever the library does. --- */

struct raw {
	int fd;
	uint32_t seq;
};

/* One request/reply; returns the reply status (0 or -errno), *fd any descriptor. */
static int raw_call(struct raw *r, void *body, size_t len, int *fd)
{
	struct ctrl_hdr h = {.magic = CTRL_PROTO_MAGIC,
	                     .version = CTRL_PROTO_VERSION,
	                     .type = CTRL_GNTTAB,
	                     .seq = ++r->seq};
	struct iovec iov[2] = {{&h, sizeof(h)}, {body, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	struct cmsghdr *cm;
	ssize_t n;

	if (sendmsg(r->fd, &mh, 0) < 0)
		dom0_fail("raw send: %s", strerror(errno));
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	n = recvmsg(r->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < (ssize_t)sizeof(h) || h.seq != r->seq)
		dom0_fail("raw reply: %zd bytes", n);
	*fd = -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (h.status == 0 && (size_t)n != sizeof(h) + len)
		dom0_fail("raw reply: %zd bytes, want %zu", n, sizeof(h) + len);
	return h.status;
}

static int raw_arena(struct raw *r, uint64_t bytes, int *fd)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_ARENA, .count = bytes};

	return raw_call(r, &q, sizeof(q), fd);
}

/* A CTRL_GNT_COPY of @nr_segs segments at arena offset @segs_off; @extra bytes after the struct. */
static int raw_copy(struct raw *r, uint32_t nr_segs, uint64_t segs_off, size_t extra)
{
	struct {
		struct ctrl_gnttab q;
		uint8_t extra[8];
	} m = {.q = {.op = CTRL_GNT_COPY, .nr_segs = nr_segs, .segs_off = segs_off}};
	int fd, st;

	st = raw_call(r, &m, sizeof(m.q) + extra, &fd);
	if (fd >= 0)
		close(fd);
	return st;
}

static void hostile_client(const char *sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct raw r = {.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)};
	const uint64_t size = 1u << 20, at = PAGE; /* the segment array's place in the arena */
	const struct {
		uint64_t off;
		uint16_t len;
		uint16_t flags;
		int16_t want;
	} cases[] = {
	    {size, 1, 0, GNTST_bad_virt_addr},
	    {size - 10, 20, 0, GNTST_bad_virt_addr},
	    {UINT64_MAX - 5, 10, 0, GNTST_bad_virt_addr},
	    {UINT64_MAX - 5, 10, CTRL_GNT_TO_GUEST, GNTST_bad_virt_addr},
	    {size + PAGE, 16, CTRL_GNT_TO_GUEST, GNTST_bad_virt_addr},
	    {size - PAGE, PAGE, 0, GNTST_okay}, /* the last page, exactly */
	    {2 * PAGE, 16, 0x8000, GNTST_general_error},
	    {size, 0, 0, GNTST_okay}, /* empty, at the very end */
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct ctrl_gnt_copy *segs;
	uint8_t *arena;
	int fd, fd2, st;
	unsigned int i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (r.fd < 0 || connect(r.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		dom0_fail("raw connect: %s", strerror(errno));
	if ((st = raw_copy(&r, 1, at, 0)) != -ENXIO)
		dom0_fail("copy without an arena: %d", st);
	if ((st = raw_arena(&r, 0, &fd)) != -EINVAL || (st = raw_arena(&r, 4095, &fd)) != -EINVAL ||
	    (st = raw_arena(&r, (uint64_t)CTRL_GNT_ARENA_MAX + PAGE, &fd)) != -EINVAL)
		dom0_fail("a bad arena size was accepted (%d)", st);
	if ((st = raw_arena(&r, size, &fd)) != 0 || fd < 0)
		dom0_fail("arena: %d", st);
	if ((st = raw_arena(&r, size, &fd2)) != -EBUSY)
		dom0_fail("a second arena: %d", st);
	/* The arena is sealed: the client cannot shrink it under shoji-hv. */
	if (ftruncate(fd, PAGE) == 0)
		dom0_fail("the arena could be shrunk");
	arena = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (arena == MAP_FAILED)
		dom0_fail("arena mmap: %s", strerror(errno));
	memset(arena, 0x77, size);

	/* Segments whose arena range is bad are refused one by one. */
	segs = (struct ctrl_gnt_copy *)(void *)(arena + at);
	for (i = 0; i < N; i++)
		segs[i] = (struct ctrl_gnt_copy){.arena_off = cases[i].off,
		                                 .ref = ref,
		                                 .domid = (uint16_t)domid,
		                                 .flags = cases[i].flags,
		                                 .len = cases[i].len,
		                                 .status = 99};
	if ((st = raw_copy(&r, N, at, 0)) != 0)
		dom0_fail("raw copy: %d", st);
	for (i = 0; i < N; i++)
		if (segs[i].status != cases[i].want)
			dom0_fail("raw copy segment %u: status %d, want %d", i, segs[i].status,
			          cases[i].want);
	for (i = 0; i < size - PAGE; i++)
		if ((i < at || i >= at + sizeof(*segs) * N) && arena[i] != 0x77)
			dom0_fail("arena byte %u written by a refused copy", i);
	/* Requests whose segment array is bad are refused whole. */
	if ((st = raw_copy(&r, 0, at, 0)) != -EINVAL ||
	    (st = raw_copy(&r, CTRL_GNT_COPY_SEGS + 1, 0, 0)) != -EINVAL ||
	    (st = raw_copy(&r, 1, at + 4, 0)) != -EINVAL ||
	    (st = raw_copy(&r, 1, at, 8)) != -EINVAL)
		dom0_fail("a malformed request was accepted (%d)", st);
	if ((st = raw_copy(&r, 2, size - sizeof(*segs), 0)) != -EFAULT ||
	    (st = raw_copy(&r, 1, size, 0)) != -EFAULT ||
	    (st = raw_copy(&r, 1, UINT64_MAX - 7, 0)) != -EFAULT ||
	    (st = raw_copy(&r, CTRL_GNT_COPY_SEGS, size - PAGE, 0)) != -EFAULT)
		dom0_fail("a segment array outside the arena was accepted (%d)", st);
	munmap(arena, size);
	close(r.fd);
}

int main(int argc, char **argv)
{
	struct dom0_guest *g = malloc(sizeof(*g));
	struct shoji_gnttab *gt;
	const volatile uint8_t *view;
	uint8_t *cbuf;
	uint32_t reason;

	gt = dom0_grant_main(g, "dom0-gntcopy", argc, argv, &ref);
	domid = g->domid;
	/* Held until the end: the guest's end-access must fail meanwhile. */
	view = shoji_gnttab_map_grant_ref(gt, domid, ref, PROT_READ);
	cbuf = shoji_gnttab_copy_buf_alloc(gt, PAGE);
	if (!view || !cbuf)
		dom0_fail("map / copy buffer: %s", strerror(errno));

	write_pattern(gt, view, cbuf);
	read_reply(gt, g, cbuf);
	mixed_batch(gt, view);
	large_batches(gt, view);
	hostile_client(argv[1]);

	if (shoji_gnttab_unmap(gt, (void *)view, 1) < 0)
		dom0_fail("unmap: %s", strerror(errno));
	dom0_console_wait(g, "PASS gnttab_end_access_after_unmap", 60000);
	reason = dom0_guest_wait_shutdown(g, 30000);
	if (reason != 0 || !strstr(g->con, "SUCCESS") ||
	    !strstr(g->con, "PASS gnttab_dom0_pattern") ||
	    !strstr(g->con, "PASS gnttab_end_access_while_mapped"))
		dom0_fail("guest reason %u; console:\n%s", reason, g->con);
	shoji_gnttab_close(gt);
	dom0_guest_destroy(g);
	free(g);
	printf("dom0-gntcopy: PASS\n");
	return 0;
}
