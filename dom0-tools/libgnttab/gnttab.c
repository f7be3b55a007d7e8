/*
 * libshoji-gnttab: Dom0 grant maps and copies, foreign maps (see
 * shoji/libgnttab.h).  shoji-hv validates and pins; the pages are mapped
 * from the guest's memory file, received once per domain.  Copies go
 * through the handle's copy arena, a memory file shoji-hv shares with it:
 * it holds the segment array of each request, staging room for segments
 * whose buffer lies elsewhere, and the copy buffers handed out to callers,
 * which shoji-hv reads and writes in place.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <shoji/grant_table.h>
#include <shoji/libgnttab.h>

#include "proto/hv-ctrl.h"
#include "proto/hv-dom0.h"
#include "pvconn.h"

#define PAGE 4096u
/* Copy batches (one request each) in flight at once. */
#define COPY_DEPTH 4
/* A batch's segment array, in the arena. */
#define SEGS_SLOT ((size_t)CTRL_GNT_COPY_SEGS * sizeof(struct ctrl_gnt_copy))
/* Staging room of one batch (a batch ends when it is full); all slots fit in L2. */
#define STAGE_SLOT ((size_t)128 * PAGE)
/*
 * The copy arena: the segment arrays of the batches in flight, their
 * staging slots, then the copy buffers.
 */
#define ARENA_SEGS  0
#define ARENA_STAGE (COPY_DEPTH * SEGS_SLOT)
#define ARENA_BUFS  (ARENA_STAGE + COPY_DEPTH * STAGE_SLOT)
#define ARENA_SIZE  ((size_t)32 << 20)
#define ARENA_PAGES ((ARENA_SIZE - ARENA_BUFS) / PAGE)
/* runs[]: 0 free, n the first page of a buffer of n pages, RUN_MORE its other pages. */
#define RUN_MORE UINT32_MAX

_Static_assert(ARENA_SIZE <= CTRL_GNT_ARENA_MAX, "the arena shoji-hv allows");
_Static_assert(ARENA_BUFS % PAGE == 0, "copy buffers are page-aligned");

/* A guest's memory file. */
struct memfd {
	uint32_t domid;
	int fd;
	uint64_t id; /* shoji-hv's name for the file: a later domain of that id has another */
	struct memfd *next;
};

/* One area returned by a map call and the grant handles behind its pages. */
struct area {
	uint8_t *addr;
	uint32_t count;
	struct area *next;
	uint32_t handles[];
};

/* A CTRL_GNT_COPY batch in flight: its segments (in the arena) and where they came from. */
struct copy_msg {
	struct ctrl_gnt_copy *seg; /* the batch's segment array in the arena */
	uint8_t *stage;            /* its staging slot */
	uint32_t n;
	uint32_t seq;                     /* of the request */
	uint32_t idx[CTRL_GNT_COPY_SEGS]; /* the caller's segment behind seg[i] */
	bool staged[CTRL_GNT_COPY_SEGS];  /* seg[i] goes through the staging slot */
};

struct shoji_gnttab {
	struct pvconn conn;
	struct memfd *memfds;
	struct area *areas;
	uint8_t *arena; /* NULL until the first copy or copy buffer */
	uint32_t *runs; /* ARENA_PAGES entries: the copy buffers */
	struct copy_msg *msg;
};

struct shoji_gnttab *shoji_gnttab_open(const char *socket_path)
{
	struct shoji_gnttab *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	if (pvconn_open(&g->conn, socket_path) < 0) {
		int err = errno;

		free(g);
		errno = err;
		return NULL;
	}
	return g;
}

int shoji_gnttab_close(struct shoji_gnttab *g)
{
	if (!g) {
		errno = EINVAL;
		return -1;
	}
	while (g->areas) {
		struct area *a = g->areas;

		g->areas = a->next;
		munmap(a->addr, (size_t)a->count * PAGE);
		free(a);
	}
	/* Closing the connection releases the pins of every mapping made through it. */
	pvconn_close(&g->conn);
	if (g->arena)
		munmap(g->arena, ARENA_SIZE);
	free(g->runs);
	free(g->msg);
	while (g->memfds) {
		struct memfd *m = g->memfds;

		g->memfds = m->next;
		close(m->fd);
		free(m);
	}
	free(g);
	return 0;
}

static int gntst_errno(int st)
{
	switch (st) {
	case GNTST_bad_domain:
		return ESRCH;
	case GNTST_bad_gntref:
	case GNTST_bad_handle:
	case GNTST_bad_copy_arg:
		return EINVAL;
	case GNTST_general_error:
	case GNTST_permission_denied:
		return EPERM;
	case GNTST_bad_page:
		return EFAULT;
	case GNTST_no_device_space:
	case GNTST_no_space:
		return ENOMEM;
	default:
		return EIO;
	}
}

static struct memfd *memfd_find(struct shoji_gnttab *g, uint32_t domid)
{
	struct memfd *m;

	for (m = g->memfds; m; m = m->next)
		if (m->domid == domid)
			return m;
	return NULL;
}

/* Keep @fd (from a reply) as @domid's memory file, named @id; returns it, or NULL (fd closed). */
static struct memfd *memfd_add(struct shoji_gnttab *g, uint32_t domid, int fd, uint64_t id)
{
	struct memfd *m = malloc(sizeof(*m));

	if (!m) {
		close(fd);
		return NULL;
	}
	m->domid = domid;
	m->fd = fd;
	m->id = id;
	m->next = g->memfds;
	g->memfds = m;
	return m;
}

static void release_handle(struct shoji_gnttab *g, uint32_t handle)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_UNMAP, .handle = handle};

	pvconn_call(&g->conn, CTRL_GNTTAB, &q, sizeof(q), NULL);
}

/*
 * Send @q (a map or foreign request) asking for the memory file unless it
 * is cached; returns the file, or NULL + errno.  The domain id may belong
 * to another domain than when the file was cached (a restore keeps the
 * saved id): the request names the cached file, and shoji-hv sends the
 * domain's own when it is another, which replaces it here.
 */
static struct memfd *request_with_memfd(struct shoji_gnttab *g, struct ctrl_gnttab *q)
{
	struct memfd *m = memfd_find(g, q->domid);
	int fd;

	if (m)
		q->mem_id = m->id;
	else
		q->flags |= CTRL_GNT_WANT_FD;
	if (pvconn_call(&g->conn, CTRL_GNTTAB, q, sizeof(*q), &fd) < 0)
		return NULL;
	if (q->op == CTRL_GNT_MAP && q->gntst != GNTST_okay) {
		if (fd >= 0)
			close(fd);
		errno = gntst_errno(q->gntst);
		return NULL;
	}
	if (m && fd >= 0 && q->mem_id != m->id) {
		/* Another domain's file: mappings made from it keep it alive as long as needed. */
		close(m->fd);
		m->fd = fd;
		m->id = q->mem_id;
		return m;
	}
	if (m) {
		if (fd >= 0)
			close(fd);
		return m;
	}
	m = fd >= 0 ? memfd_add(g, q->domid, fd, q->mem_id) : NULL;
	if (!m) {
		int err = fd >= 0 ? ENOMEM : EPROTO;

		if (q->op == CTRL_GNT_MAP)
			release_handle(g, q->handle);
		errno = err;
	}
	return m;
}

/* Map one grant at the fixed address @at; its handle goes to *handle. */
static int map_one(struct shoji_gnttab *g, uint32_t domid, uint32_t ref, int prot, void *at,
                   uint32_t *handle)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_MAP,
	                        .domid = domid,
	                        .ref = ref,
	                        .flags = (prot & PROT_WRITE) ? 0 : CTRL_GNT_READONLY};
	struct memfd *m = request_with_memfd(g, &q);
	int err;

	if (!m)
		return -1;
	if (mmap(at, PAGE, prot, MAP_SHARED | MAP_FIXED, m->fd, (off_t)(q.gfn * PAGE)) ==
	    MAP_FAILED) {
		err = errno;
		release_handle(g, q.handle);
		errno = err;
		return -1;
	}
	*handle = q.handle;
	return 0;
}

void *shoji_gnttab_map_grant_refs(struct shoji_gnttab *g, uint32_t count, const uint32_t *domids,
                                  const uint32_t *refs, int prot)
{
	struct area *a;
	uint32_t i;
	void *addr;
	int err;

	if (count == 0 || count > (1u << 20) || (prot & ~(PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	a = malloc(sizeof(*a) + count * sizeof(a->handles[0]));
	if (!a)
		return NULL;
	/* Reserve the whole range, then place each page in it. */
	addr = mmap(NULL, (size_t)count * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		free(a);
		return NULL;
	}
	a->addr = addr;
	a->count = count;
	for (i = 0; i < count; i++) {
		if (map_one(g, domids[i], refs[i], prot, a->addr + (size_t)i * PAGE,
		            &a->handles[i]) < 0) {
			err = errno;
			munmap(addr, (size_t)count * PAGE);
			while (i--)
				release_handle(g, a->handles[i]);
			free(a);
			errno = err;
			return NULL;
		}
	}
	a->next = g->areas;
	g->areas = a;
	return addr;
}

void *shoji_gnttab_map_grant_ref(struct shoji_gnttab *g, uint32_t domid, uint32_t ref, int prot)
{
	return shoji_gnttab_map_grant_refs(g, 1, &domid, &ref, prot);
}

int shoji_gnttab_unmap(struct shoji_gnttab *g, void *addr, uint32_t count)
{
	struct area **pp = &g->areas, *a;
	uint32_t i;

	while ((a = *pp) != NULL && (a->addr != addr || a->count != count))
		pp = &a->next;
	if (!a) {
		errno = EINVAL;
		return -1;
	}
	*pp = a->next;
	/* The pages go first: the pins may only drop once nothing can reach them. */
	munmap(a->addr, (size_t)count * PAGE);
	for (i = 0; i < count; i++)
		release_handle(g, a->handles[i]);
	free(a);
	return 0;
}

/* Set up the copy arena on first use.  0 or -1 + errno. */
static int arena_open(struct shoji_gnttab *g)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_ARENA, .count = ARENA_SIZE};
	unsigned int k;
	void *p;
	int fd, err;

	if (g->arena)
		return 0;
	g->runs = calloc(ARENA_PAGES, sizeof(*g->runs));
	g->msg = malloc(COPY_DEPTH * sizeof(*g->msg));
	if (!g->runs || !g->msg)
		goto fail_errno;
	if (pvconn_call(&g->conn, CTRL_GNTTAB, &q, sizeof(q), &fd) < 0)
		goto fail_errno;
	if (fd < 0 || q.mem_size != ARENA_SIZE) {
		if (fd >= 0)
			close(fd);
		errno = EPROTO;
		goto fail_errno;
	}
	p = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (p == MAP_FAILED) {
		errno = err;
		goto fail_errno;
	}
	g->arena = p;
	for (k = 0; k < COPY_DEPTH; k++) {
		g->msg[k].seg =
		    (struct ctrl_gnt_copy *)(void *)(g->arena + ARENA_SEGS + k * SEGS_SLOT);
		g->msg[k].stage = g->arena + ARENA_STAGE + k * STAGE_SLOT;
	}
	return 0;
fail_errno:
	err = errno;
	free(g->runs);
	free(g->msg);
	g->runs = NULL;
	g->msg = NULL;
	errno = err;
	return -1;
}

void *shoji_gnttab_copy_buf_alloc(struct shoji_gnttab *g, size_t len)
{
	size_t need, i, run;

	if (!g || len == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (len > ARENA_SIZE - ARENA_BUFS) {
		errno = ENOMEM;
		return NULL;
	}
	if (arena_open(g) < 0)
		return NULL;
	need = (len + PAGE - 1) / PAGE;
	for (i = 0; i < ARENA_PAGES;) {
		if (g->runs[i] == RUN_MORE) {
			i++;
			continue;
		}
		if (g->runs[i]) {
			i += g->runs[i];
			continue;
		}
		for (run = 0; i + run < ARENA_PAGES && run < need && !g->runs[i + run]; run++)
			;
		if (run == need) {
			g->runs[i] = (uint32_t)need;
			for (run = 1; run < need; run++)
				g->runs[i + run] = RUN_MORE;
			return g->arena + ARENA_BUFS + i * PAGE;
		}
		i += run;
	}
	errno = ENOMEM;
	return NULL;
}

int shoji_gnttab_copy_buf_free(struct shoji_gnttab *g, void *buf)
{
	uintptr_t p = (uintptr_t)buf, first;
	size_t i, n;

	if (!g || !g->arena) {
		errno = EINVAL;
		return -1;
	}
	first = (uintptr_t)g->arena + ARENA_BUFS;
	if (p < first || p >= (uintptr_t)g->arena + ARENA_SIZE || (p - first) % PAGE) {
		errno = EINVAL;
		return -1;
	}
	i = (p - first) / PAGE;
	if (g->runs[i] == 0 || g->runs[i] == RUN_MORE) {
		errno = EINVAL;
		return -1;
	}
	for (n = g->runs[i]; n--;)
		g->runs[i + n] = 0;
	return 0;
}

/* Offset of [buf, buf + len) in the arena when it lies in the copy buffers, else -1. */
static int64_t arena_offset(const struct shoji_gnttab *g, const void *buf, size_t len)
{
	uintptr_t p = (uintptr_t)buf, base = (uintptr_t)g->arena, end = base + ARENA_SIZE;

	if (p < base + ARENA_BUFS || p >= end || len > end - p)
		return -1;
	return (int64_t)(p - base);
}

/*
 * Fill batch @m from segs[*i...]: up to CTRL_GNT_COPY_SEGS segments, and
 * no more staged bytes than its slot holds.  Segments that cannot be
 * expressed on the wire get their status at once.  Returns m->n.
 */
static uint32_t copy_fill(struct shoji_gnttab *g, struct copy_msg *m,
                          struct shoji_gnttab_copy_seg *segs, uint32_t count, uint32_t *i)
{
	size_t stage = 0;
	uint32_t n = 0;

	for (; *i < count && n < CTRL_GNT_COPY_SEGS; ++*i) {
		struct shoji_gnttab_copy_seg *s = &segs[*i];
		int64_t off;

		if (s->domid > 0xffff || s->len > PAGE) {
			/* As Xen would answer. */
			s->status = s->len > PAGE ? GNTST_bad_copy_arg : GNTST_bad_domain;
			continue;
		}
		off = arena_offset(g, s->buf, s->len);
		m->staged[n] = off < 0;
		if (m->staged[n]) {
			if (stage + s->len > STAGE_SLOT)
				break;
			off = (m->stage - g->arena) + (int64_t)stage;
			if (s->to_guest && s->len)
				memcpy(m->stage + stage, s->buf, s->len);
			stage += s->len;
		}
		m->seg[n] = (struct ctrl_gnt_copy){.arena_off = (uint64_t)off,
		                                   .ref = s->ref,
		                                   .domid = (uint16_t)s->domid,
		                                   .flags = s->to_guest ? CTRL_GNT_TO_GUEST : 0,
		                                   .offset = s->offset,
		                                   .len = s->len};
		m->idx[n++] = *i;
	}
	m->n = n;
	return n;
}

/* Send batch @m without waiting.  0 or -1 + errno. */
static int copy_send(struct shoji_gnttab *g, struct copy_msg *m)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_COPY,
	                        .nr_segs = m->n,
	                        .segs_off = (uint64_t)((uint8_t *)m->seg - g->arena)};

	if (pvconn_send(&g->conn, CTRL_GNTTAB, &q, sizeof(q)) < 0)
		return -1;
	m->seq = g->conn.seq;
	return 0;
}

/*
 * Receive the reply to batch @m (the oldest in flight) and give its
 * segments their status; staged segments from the guest are copied out.
 * 0 or -1 + errno.
 */
static int copy_reply(struct shoji_gnttab *g, struct copy_msg *m,
                      struct shoji_gnttab_copy_seg *segs)
{
	struct ctrl_gnttab q = {0}; /* the reply's body: the request echoed */
	uint32_t i;

	if (pvconn_recv(&g->conn, CTRL_GNTTAB, m->seq, &q, sizeof(q), NULL) < 0)
		return -1;
	for (i = 0; i < m->n; i++) {
		struct shoji_gnttab_copy_seg *s = &segs[m->idx[i]];
		const struct ctrl_gnt_copy *w = &m->seg[i];

		s->status = w->status;
		if (m->staged[i] && !s->to_guest && s->status == GNTST_okay && s->len)
			memcpy(s->buf, g->arena + w->arena_off, s->len);
	}
	return 0;
}

/*
 * Batches go out up to COPY_DEPTH at a time, so that shoji-hv finds the
 * next one waiting when it finishes one; each has its own staging slot.
 * After a refused batch the replies still due are drained, so the
 * connection stays in step, and the first error is returned.
 */
int shoji_gnttab_grant_copy(struct shoji_gnttab *g, uint32_t count,
                            struct shoji_gnttab_copy_seg *segs)
{
	uint32_t i = 0, head = 0, busy = 0, n;
	int err = 0;

	if (!g || (count && !segs)) {
		errno = EINVAL;
		return -1;
	}
	if (count && arena_open(g) < 0)
		return -1;
	for (;;) {
		while (!err && busy < COPY_DEPTH && i < count) {
			uint32_t k = (head + busy) % COPY_DEPTH;

			n = copy_fill(g, &g->msg[k], segs, count, &i);
			if (n == 0)
				continue;
			if (copy_send(g, &g->msg[k]) < 0)
				err = errno;
			else
				busy++;
		}
		if (busy == 0)
			break;
		if (copy_reply(g, &g->msg[head], segs) < 0 && !err)
			err = errno;
		if (err == ECONNRESET || err == EPROTO)
			break; /* nothing more comes back in step */
		head = (head + 1) % COPY_DEPTH;
		busy--;
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void *shoji_foreign_map(struct shoji_gnttab *g, uint32_t domid, uint64_t gfn, size_t n, int prot)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_FOREIGN, .domid = domid, .gfn = gfn, .count = n};
	struct memfd *m;
	void *p;

	if (n == 0 || (prot & ~(PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	m = request_with_memfd(g, &q);
	if (!m)
		return NULL;
	p = mmap(NULL, n * PAGE, prot, MAP_SHARED, m->fd, (off_t)(gfn * PAGE));
	return p == MAP_FAILED ? NULL : p;
}

int shoji_foreign_unmap(void *addr, size_t n)
{
	return munmap(addr, n * PAGE);
}

int shoji_foreign_read(struct shoji_gnttab *g, uint32_t domid, uint64_t gfn, void *buf, size_t n)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_FOREIGN, .domid = domid, .gfn = gfn, .count = n};
	struct memfd *m;
	size_t done = 0, len = n * PAGE;

	if (n == 0 || q.count != n) { /* q.count: no truncated request */
		errno = EINVAL;
		return -1;
	}
	m = request_with_memfd(g, &q); /* shoji-hv checks the range */
	if (!m)
		return -1;
	/* pread of a memfd hole returns zeros without allocating (a mapping's read fault would). */
	while (done < len) {
		ssize_t r =
		    pread(m->fd, (char *)buf + done, len - done, (off_t)(gfn * PAGE + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}
