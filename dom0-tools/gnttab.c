/*
 * libshoji-gnttab: Dom0 grant maps and copies, foreign maps (see
 * shoji/libgnttab.h).  shoji-hv validates and pins; the pages are mapped
 * from the guest's memory file, received once per domain.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <shoji/grant_table.h>
#include <shoji/libgnttab.h>

#include "ctrl-proto.h"
#include "evtdom0-proto.h"
#include "pvconn.h"

#define PAGE 4096u

/* A guest's memory file. */
struct memfd {
	uint32_t domid;
	int fd;
	struct memfd *next;
};

/* One area returned by a map call and the grant handles behind its pages. */
struct area {
	uint8_t *addr;
	uint32_t count;
	struct area *next;
	uint32_t handles[];
};

struct shoji_gnttab {
	struct pvconn conn;
	struct memfd *memfds;
	struct area *areas;
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

/* Keep @fd (from a reply) as @domid's memory file; returns it, or NULL (fd closed). */
static struct memfd *memfd_add(struct shoji_gnttab *g, uint32_t domid, int fd)
{
	struct memfd *m = malloc(sizeof(*m));

	if (!m) {
		close(fd);
		return NULL;
	}
	m->domid = domid;
	m->fd = fd;
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
 * is cached; returns the file, or NULL + errno.
 */
static struct memfd *request_with_memfd(struct shoji_gnttab *g, struct ctrl_gnttab *q)
{
	struct memfd *m = memfd_find(g, q->domid);
	int fd;

	if (!m)
		q->flags |= CTRL_GNT_WANT_FD;
	if (pvconn_call(&g->conn, CTRL_GNTTAB, q, sizeof(*q), &fd) < 0)
		return NULL;
	if (q->op == CTRL_GNT_MAP && q->gntst != GNTST_okay) {
		if (fd >= 0)
			close(fd);
		errno = gntst_errno(q->gntst);
		return NULL;
	}
	if (m) {
		if (fd >= 0)
			close(fd);
		return m;
	}
	m = fd >= 0 ? memfd_add(g, q->domid, fd) : NULL;
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

/* Run segments [first, first + n) in one message of @bytes payload bytes. */
static int copy_batch(struct shoji_gnttab *g, struct shoji_gnttab_copy_seg *segs, uint32_t n,
                      size_t bytes)
{
	struct {
		struct ctrl_gnttab q;
		uint8_t data[CTRL_GNT_COPY_DATA];
	} msg;
	size_t off = 0;
	uint32_t i;

	memset(&msg.q, 0, sizeof(msg.q));
	msg.q.op = CTRL_GNT_COPY;
	msg.q.nr_segs = n;
	for (i = 0; i < n; i++) {
		msg.q.seg[i] = (struct ctrl_gnt_seg){.ref = segs[i].ref,
		                                     .domid = (uint16_t)segs[i].domid,
		                                     .to_guest = segs[i].to_guest != 0,
		                                     .offset = segs[i].offset,
		                                     .len = segs[i].len};
		if (segs[i].to_guest)
			memcpy(msg.data + off, segs[i].buf, segs[i].len);
		off += segs[i].len;
	}
	if (pvconn_call(&g->conn, CTRL_GNTTAB, &msg, sizeof(msg.q) + bytes, NULL) < 0)
		return -1;
	for (i = 0, off = 0; i < n; i++) {
		segs[i].status = msg.q.seg[i].status;
		if (!segs[i].to_guest && segs[i].status == GNTST_okay)
			memcpy(segs[i].buf, msg.data + off, segs[i].len);
		off += segs[i].len;
	}
	return 0;
}

int shoji_gnttab_grant_copy(struct shoji_gnttab *g, uint32_t count,
                            struct shoji_gnttab_copy_seg *segs)
{
	uint32_t first = 0, i;
	size_t bytes = 0;

	for (i = 0; i < count; i++) {
		if (segs[i].domid > 0xffff || segs[i].len > PAGE) {
			/* Cannot be expressed on the wire; as Xen would answer. */
			segs[i].status = segs[i].len > PAGE ? GNTST_bad_copy_arg : GNTST_bad_domain;
			if (i > first && copy_batch(g, segs + first, i - first, bytes) < 0)
				return -1;
			first = i + 1;
			bytes = 0;
			continue;
		}
		if (i - first == CTRL_GNT_COPY_SEGS || bytes + segs[i].len > CTRL_GNT_COPY_DATA) {
			if (copy_batch(g, segs + first, i - first, bytes) < 0)
				return -1;
			first = i;
			bytes = 0;
		}
		bytes += segs[i].len;
	}
	if (i > first && copy_batch(g, segs + first, i - first, bytes) < 0)
		return -1;
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
