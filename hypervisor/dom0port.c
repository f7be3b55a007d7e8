/*
 * Dom0 for control-socket clients (see dom0port.h): its port table, grant
 * maps and copy arenas, and the CTRL_EVTCHN / CTRL_GNTTAB handlers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

#include "proto/hv-dom0.h"
#include "dom0port.h"
#include "domain.h"
#include "evtchn.h"
#include "evtglue.h"
#include "gnttab.h"
#include "guestmem.h"
#include "hv.h"
#include "platform.h"

/* Highest Dom0 port (the whole 2-level space). */
#define DOM0_MAX_PORT 4095u

_Static_assert(CTRL_GNT_ARENA_MAX % GM_PAGE_SIZE == 0, "the arena is whole pages");

/* One Dom0 port: the eventfd shoji-hv writes, and the client that bound it. */
struct port {
	int fd;                           /* -1: not bound through the control socket */
	bool missed;                      /* an event arrived before the fd was installed */
	const struct ctrl_client *client; /* NULL: free */
};

/* One Dom0 grant mapping. */
struct map {
	const struct ctrl_client *client; /* NULL: free */
	uint64_t cookie;                  /* the host_addr given to the grant core */
};

/* One client's copy arena: a memory file shoji-hv created, sealed and mapped. */
struct arena {
	const struct ctrl_client *client;
	uint8_t *base;
	uint64_t size;
	struct arena *next;
};

/* The grant a run of copies holds pinned; starts zeroed, ends with unpin(). */
struct pin {
	bool held;
	bool writable;
	domid_t domid;
	grant_ref_t ref;
	grant_handle_t handle;
	uint64_t cookie;
	uint8_t *page;
};

struct dom0port {
	struct evtchn_domain *ec; /* Dom0's port table */
	struct gnttab *gt;        /* Dom0's grant table: client maps and copy pins */
	/* Port and mapping tables (a leaf lock: notify_port takes it). */
	pthread_mutex_t lock;
	struct port ports[DOM0_MAX_PORT + 1];
	struct map *maps; /* indexed by grant handle */
	size_t nr_maps;
	uint64_t next_cookie;
	/* Every client's copy arena (control loop thread only: no lock). */
	struct arena *arenas;
};

static struct dom0port *dom0port_of(struct hv *hv)
{
	return hv ? hv->dom0port : NULL;
}

/* --- Dom0's hooks in the cores. --- */

/*
 * The port's eventfd is written after p->lock is dropped: the write wakes
 * the Dom0 client, which often preempts us right there, and the control
 * thread's next CTRL_EVTCHN_SEND would then find p->lock held.  The fd stays
 * open meanwhile: every delivery runs under an event lock that closing the
 * port needs too (see evtchn.c), and close_port() closes the fd only after
 * evtchn_close() returned.
 */
static void notify_port(void *owner, evtchn_port_t port)
{
	struct dom0port *p = owner;
	uint64_t one = 1;
	int fd;

	if (port > DOM0_MAX_PORT)
		return;
	pthread_mutex_lock(&p->lock);
	fd = p->ports[port].fd;
	if (fd < 0)
		p->ports[port].missed = true; /* bound, fd not installed yet */
	pthread_mutex_unlock(&p->lock);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* Only EAGAIN (non-blocking, counter full): it reads as pending anyway. */
	}
}

static const struct evtchn_delivery_ops dom0_ops = {.notify_port = notify_port};

static void *no_frames(void *owner, uint64_t gfn)
{
	return NULL; /* Dom0 has no guest frames */
}

static const struct gnttab_mem_ops dom0_mem = {.gfn_to_host = no_frames};

static void arena_release(struct dom0port *p, const struct ctrl_client *client);

int dom0port_hv_init(struct hv *hv)
{
	struct evtchn_world *ew = evtglue_evtchn_world(hv);
	struct gnttab_world *gw = evtglue_gnttab_world(hv);
	struct dom0port *p;
	unsigned int i;
	int r;

	if (!ew || !gw)
		return -EINVAL; /* no namespace: evtglue_hv_init first */
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	for (i = 0; i <= DOM0_MAX_PORT; i++)
		p->ports[i].fd = -1;
	p->ec = evtchn_domain_create(ew, &(struct evtchn_domain_params){
	                                     .domid = 0,
	                                     .max_vcpus = 1,
	                                     .max_port = DOM0_MAX_PORT,
	                                     .privileged = true,
	                                     .ops = &dom0_ops,
	                                     .owner = p,
	                                 });
	p->gt = gnttab_create(gw, &(struct gnttab_params){
	                              .domid = 0,
	                              .privileged = true,
	                              .mem = &dom0_mem,
	                              .owner = p,
	                          });
	if (!p->ec || !p->gt) {
		r = -errno;
		goto out;
	}
	evtglue_set_dom0(hv, p->ec, p->gt);
	hv->dom0port = p;
	return 0;
out:
	if (p->ec)
		evtchn_domain_destroy(p->ec);
	if (p->gt)
		gnttab_destroy(p->gt);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return r;
}

void dom0port_hv_fini(struct hv *hv)
{
	struct dom0port *p = dom0port_of(hv);
	unsigned int i;

	if (!p)
		return;
	evtglue_set_dom0(hv, NULL, NULL);
	evtchn_domain_destroy(p->ec);
	gnttab_destroy(p->gt);
	for (i = 0; i <= DOM0_MAX_PORT; i++)
		if (p->ports[i].fd >= 0)
			close(p->ports[i].fd);
	free(p->maps);
	while (p->arenas)
		arena_release(p, p->arenas->client);
	pthread_mutex_destroy(&p->lock);
	free(p);
	hv->dom0port = NULL;
}

/* --- Ports. --- */

/* Is @port a Dom0 port @client bound?  Takes p->lock. */
static bool owns_port(struct dom0port *p, const struct ctrl_client *client, evtchn_port_t port)
{
	bool ok;

	if (port < 1 || port > DOM0_MAX_PORT || !client)
		return false;
	pthread_mutex_lock(&p->lock);
	ok = p->ports[port].client == client;
	pthread_mutex_unlock(&p->lock);
	return ok;
}

/* Close @port and forget its fd (the client keeps its own copy). */
static int close_port(struct dom0port *p, evtchn_port_t port)
{
	int r = evtchn_close(p->ec, port), fd;

	pthread_mutex_lock(&p->lock);
	fd = p->ports[port].fd;
	p->ports[port] = (struct port){.fd = -1};
	pthread_mutex_unlock(&p->lock);
	if (fd >= 0)
		close(fd);
	return r;
}

/* A core call that binds a new Dom0 port as @q asks: 0 and *port, or -errno. */
typedef int bind_fn(struct evtchn_domain *ec, const struct ctrl_evtchn *q, evtchn_port_t *port);

static int bind_unbound(struct evtchn_domain *ec, const struct ctrl_evtchn *q, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = (domid_t)q->domid};
	int r = evtchn_alloc_unbound(ec, &op);

	*port = op.port;
	return r;
}

static int bind_interdomain(struct evtchn_domain *ec, const struct ctrl_evtchn *q,
                            evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = {.remote_dom = (domid_t)q->domid,
	                                     .remote_port = q->remote_port};
	int r = evtchn_bind_interdomain(ec, &op);

	*port = op.local_port;
	return r;
}

static int bind_virq(struct evtchn_domain *ec, const struct ctrl_evtchn *q, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = {.virq = q->virq, .vcpu = 0};
	int r = evtchn_bind_virq(ec, &op);

	*port = op.port;
	return r;
}

/*
 * Bind a Dom0 port for @client with @bind and give it an eventfd: the reply
 * names the port and passes the client's copy of the eventfd.
 */
static int bind_port(struct hv *hv, struct ctrl_client *client, const struct ctrl_evtchn *q,
                     struct ctrl_evtchn *reply, int *pass_fd, bind_fn *bind)
{
	struct dom0port *p = dom0port_of(hv);
	uint64_t one = 1;
	evtchn_port_t port;
	int efd, cfd, r;

	if (!p || !client)
		return -ENOSYS;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	cfd = fcntl(efd, F_DUPFD_CLOEXEC, 0); /* the client's copy */
	if (cfd < 0) {
		r = -errno;
		close(efd);
		return r;
	}
	r = bind(p->ec, q, &port);
	if (r < 0) {
		close(efd);
		close(cfd);
		return r;
	}
	/* Events that arrived before the fd existed (bind_interdomain raises one) go to it now. */
	pthread_mutex_lock(&p->lock);
	p->ports[port].fd = efd;
	p->ports[port].client = client;
	if (p->ports[port].missed && write(efd, &one, sizeof(one)) < 0) {
		/* Cannot fail: the counter of a new eventfd is 0. */
	}
	p->ports[port].missed = false;
	pthread_mutex_unlock(&p->lock);
	reply->port = port;
	*pass_fd = cfd;
	return 0;
}

int dom0port_bind_unbound(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                          int *pass_fd)
{
	const struct ctrl_evtchn *q = req;

	if (q->domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	return bind_port(hv, client, q, reply, pass_fd, bind_unbound);
}

int dom0port_bind_interdomain(struct hv *hv, struct ctrl_client *client, const void *req,
                              void *reply, int *pass_fd)
{
	const struct ctrl_evtchn *q = req;

	if (q->domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	return bind_port(hv, client, q, reply, pass_fd, bind_interdomain);
}

int dom0port_bind_virq(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                       int *pass_fd)
{
	return bind_port(hv, client, req, reply, pass_fd, bind_virq);
}

/* May @client act on Dom0 port @port?  0, or -ENOSYS without Dom0, -ENOTCONN if not its. */
static int check_owner(struct dom0port *p, const struct ctrl_client *client, evtchn_port_t port)
{
	if (!p)
		return -ENOSYS;
	return owns_port(p, client, port) ? 0 : -ENOTCONN;
}

/* Fire and forget: the client checked the port is its own interdomain one. */
int dom0port_send(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                  int *pass_fd)
{
	const struct ctrl_evtchn *q = req;
	struct dom0port *p = dom0port_of(hv);
	int r = check_owner(p, client, q->port);

	return r < 0 ? r : evtchn_send(p->ec, q->port);
}

int dom0port_unbind(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                    int *pass_fd)
{
	const struct ctrl_evtchn *q = req;
	struct dom0port *p = dom0port_of(hv);
	int r = check_owner(p, client, q->port);

	return r < 0 ? r : close_port(p, q->port);
}

/* Toolstack: the highest port of guest @domid, before it runs. */
int dom0port_set_max_port(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                          int *pass_fd)
{
	const struct ctrl_evtchn *q = req;
	struct domain *d = hv_domain_get(hv, q->domid);
	int r = d ? evtglue_set_max_port(d, q->remote_port) : -ESRCH;

	if (d)
		domain_put(d);
	return r;
}

/*
 * Toolstack: allocate an unbound port of guest @domid that @remote may bind
 * (Xen's xc_evtchn_alloc_unbound; e.g. the xenstore port, remote 0).
 */
int dom0port_alloc_in(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                      int *pass_fd)
{
	const struct ctrl_evtchn *q = req;
	struct ctrl_evtchn *r = reply;
	struct evtchn_alloc_unbound op = {.dom = (domid_t)q->domid,
	                                  .remote_dom = (domid_t)q->remote_port};
	struct dom0port *p = dom0port_of(hv);
	int rc;

	if (q->domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	if (!p)
		return -ENOSYS;
	if (q->domid == 0 || q->remote_port >= DOMID_FIRST_RESERVED)
		return -EINVAL; /* Dom0's own ports are bound with the CTRL_EVTCHN_BIND_* ops */
	rc = evtchn_alloc_unbound(p->ec, &op);
	if (rc == 0)
		r->port = op.port;
	return rc;
}

/* --- Grant maps and foreign maps. --- */

/*
 * The guest memory file of @domid for a map: *size is its size, *mem_id
 * its identity (the inode number), and the reply passes a copy when the
 * request asks for it (CTRL_GNT_WANT_FD) or believes in another file
 * (@have, when not 0: the id of the client's, an earlier domain's of that
 * id).
 */
static int pass_memfd(struct hv *hv, domid_t domid, uint32_t flags, uint64_t have, uint64_t *size,
                      uint64_t *mem_id, int *pass_fd)
{
	struct domain *d = hv_domain_get(hv, domid);
	struct stat st;
	int fd, r = 0;

	if (!d)
		return -ESRCH;
	fd = d->vm.memfd >= 0 ? fcntl(d->vm.memfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (fd < 0 || fstat(fd, &st) < 0)
		r = -EBADF;
	*size = d->mem.size;
	*mem_id = r == 0 ? (uint64_t)st.st_ino : 0;
	domain_put(d);
	if (r == 0 && ((flags & CTRL_GNT_WANT_FD) || (have && have != *mem_id)))
		*pass_fd = fd;
	else if (fd >= 0)
		close(fd);
	return r;
}

/* A fresh host_addr for the grant core: it names one Dom0 map or pin. */
static uint64_t new_cookie(struct dom0port *p)
{
	uint64_t cookie;

	pthread_mutex_lock(&p->lock);
	cookie = ++p->next_cookie << GM_PAGE_SHIFT;
	pthread_mutex_unlock(&p->lock);
	return cookie;
}

/*
 * Map grant @ref of @domid into Dom0 for @client: validated and pinned by the
 * grant core.  Returns a GNTST_* value; on GNTST_okay *handle names the
 * mapping and *gfn the granted frame (its memfd offset is gfn << 12).
 */
static int map_grant(struct dom0port *p, const struct ctrl_client *client, domid_t domid,
                     grant_ref_t ref, bool readonly, grant_handle_t *handle, uint64_t *gfn)
{
	struct gnttab_map_grant_ref op = {
	    .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0), .ref = ref, .dom = domid};
	struct gnttab_mapping m;
	struct map *maps;

	if (!p || !client)
		return GNTST_general_error;
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return GNTST_bad_domain;
	op.host_addr = new_cookie(p);
	gnttab_map_grant_ref(p->gt, &op, &m);
	if (op.status != GNTST_okay)
		return op.status;
	pthread_mutex_lock(&p->lock);
	if (op.handle >= p->nr_maps) {
		size_t n = (size_t)op.handle * 2 + 16;

		maps = realloc(p->maps, n * sizeof(*maps));
		if (!maps) {
			pthread_mutex_unlock(&p->lock);
			gnttab_unmap_grant_ref(p->gt,
			                       &(struct gnttab_unmap_grant_ref){
			                           .host_addr = op.host_addr, .handle = op.handle},
			                       NULL);
			return GNTST_no_space;
		}
		memset(maps + p->nr_maps, 0, (n - p->nr_maps) * sizeof(*maps));
		p->maps = maps;
		p->nr_maps = n;
	}
	p->maps[op.handle] = (struct map){.client = client, .cookie = op.host_addr};
	pthread_mutex_unlock(&p->lock);
	*handle = op.handle;
	*gfn = m.gfn;
	return GNTST_okay;
}

/* Release map @handle of @client (the client has munmap'ed it).  GNTST_*. */
static int unmap_grant(struct dom0port *p, const struct ctrl_client *client, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = {.handle = handle};

	if (!p || !client)
		return GNTST_general_error;
	pthread_mutex_lock(&p->lock);
	if (handle < p->nr_maps && p->maps[handle].client == client) {
		op.host_addr = p->maps[handle].cookie;
		p->maps[handle].client = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	if (!op.host_addr)
		return GNTST_bad_handle;
	gnttab_unmap_grant_ref(p->gt, &op, NULL);
	return op.status;
}

int dom0port_gnt_map(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                     int *pass_fd)
{
	const struct ctrl_gnttab *q = req;
	struct ctrl_gnttab *r = reply;
	struct dom0port *p = dom0port_of(hv);
	grant_handle_t handle;
	int rc;

	if (q->domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	r->gntst = map_grant(p, client, (domid_t)q->domid, q->ref, q->flags & CTRL_GNT_READONLY,
	                     &handle, &r->gfn);
	if (r->gntst != GNTST_okay)
		return 0;
	r->handle = handle;
	rc = pass_memfd(hv, (domid_t)q->domid, q->flags, q->mem_id, &r->mem_size, &r->mem_id,
	                pass_fd);
	if (rc < 0)
		unmap_grant(p, client, handle);
	return rc;
}

int dom0port_gnt_unmap(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                       int *pass_fd)
{
	const struct ctrl_gnttab *q = req;
	struct ctrl_gnttab *r = reply;

	r->gntst = unmap_grant(dom0port_of(hv), client, (grant_handle_t)q->handle);
	return 0;
}

/* A privileged foreign map: [gfn, gfn + count) must be RAM of @domid. */
int dom0port_gnt_foreign(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                         int *pass_fd)
{
	const struct ctrl_gnttab *q = req;
	struct ctrl_gnttab *r = reply;
	struct domain *d;
	uint64_t pages;

	if (q->domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	d = hv_domain_get(hv, q->domid);
	if (!d)
		return -ESRCH;
	pages = d->mem.size >> GM_PAGE_SHIFT;
	domain_put(d);
	if (q->count == 0 || q->gfn >= pages || q->count > pages - q->gfn)
		return -EINVAL;
	return pass_memfd(hv, (domid_t)q->domid, q->flags, q->mem_id, &r->mem_size, &r->mem_id,
	                  pass_fd);
}

/* --- Copy arenas. --- */

static struct arena *arena_of(struct dom0port *p, const struct ctrl_client *client)
{
	struct arena *a;

	for (a = p ? p->arenas : NULL; a; a = a->next)
		if (a->client == client)
			return a;
	return NULL;
}

/* Arena bytes [@off, @off + @len) if they lie in @a, else NULL. */
static void *arena_range(struct arena *a, uint64_t off, uint64_t len)
{
	if (off > a->size || len > a->size - off)
		return NULL;
	return a->base + off;
}

static void arena_release(struct dom0port *p, const struct ctrl_client *client)
{
	struct arena **pp = &p->arenas, *a;

	while ((a = *pp) != NULL && a->client != client)
		pp = &a->next;
	if (!a)
		return;
	*pp = a->next;
	munmap(a->base, a->size);
	free(a);
}

/*
 * CTRL_GNT_ARENA: @client's arena of count bytes (whole pages, at most
 * CTRL_GNT_ARENA_MAX).  The memfd is sealed so that nobody can shrink it
 * under our mapping (which would fault us).
 */
int dom0port_gnt_arena(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                       int *pass_fd)
{
	const struct ctrl_gnttab *q = req;
	struct ctrl_gnttab *r = reply;
	struct dom0port *p = dom0port_of(hv);
	struct arena *a = NULL;
	uint64_t bytes = q->count;
	void *base;
	int mfd = -1, rc;

	if (!p || !client)
		return -ENOSYS;
	if (arena_of(p, client))
		return -EBUSY;
	if (bytes == 0 || bytes > CTRL_GNT_ARENA_MAX || bytes % GM_PAGE_SIZE)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	mfd = memfd_create("shoji-gnt-arena", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)bytes) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		goto out;
	}
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (base == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	*a = (struct arena){.client = client, .base = base, .size = bytes, .next = p->arenas};
	p->arenas = a;
	r->mem_size = bytes;
	*pass_fd = mfd;
	return 0;
out:
	if (mfd >= 0)
		close(mfd);
	free(a);
	return rc;
}

/* Release the pin of a run of copies (if any). */
static void unpin(struct dom0port *p, struct pin *pin)
{
	if (!pin->held)
		return;
	gnttab_unmap_grant_ref(
	    p->gt,
	    &(struct gnttab_unmap_grant_ref){.host_addr = pin->cookie, .handle = pin->handle},
	    NULL);
	pin->held = false;
}

/* Have (domid, ref) pinned in @pin by the grant core, for writing if @write.  GNTST_*. */
static int pin_grant(struct dom0port *p, struct pin *pin, domid_t domid, grant_ref_t ref,
                     bool write)
{
	struct gnttab_map_grant_ref op = {
	    .flags = GNTMAP_host_map | (write ? 0 : GNTMAP_readonly), .ref = ref, .dom = domid};
	struct gnttab_mapping m;

	if (pin->held && pin->domid == domid && pin->ref == ref && (pin->writable || !write))
		return GNTST_okay;
	unpin(p, pin);
	op.host_addr = new_cookie(p);
	gnttab_map_grant_ref(p->gt, &op, &m);
	if (op.status != GNTST_okay)
		return op.status;
	*pin = (struct pin){.held = true,
	                    .writable = write,
	                    .domid = domid,
	                    .ref = ref,
	                    .handle = op.handle,
	                    .cookie = op.host_addr,
	                    .page = m.page};
	return GNTST_okay;
}

/*
 * Run copy segment @s against arena @a: the arena range is checked
 * (GNTST_bad_virt_addr), then the grant as GNTTABOP_copy would
 * (GNTST_bad_domain, the core's pin result, GNTST_bad_copy_arg).  The grant
 * stays pinned in @pin for the next segment, which reuses the pin when it
 * names the same grant (as Xen does within one batch).  Returns GNTST_*.
 */
static int copy_one(struct dom0port *p, struct arena *a, struct pin *pin,
                    const struct ctrl_gnt_copy *s)
{
	bool to_guest = s->flags & CTRL_GNT_TO_GUEST;
	uint8_t *local;
	int st;

	if (s->flags & ~CTRL_GNT_TO_GUEST)
		return GNTST_general_error;
	local = arena_range(a, s->arena_off, s->len);
	if (!local)
		return GNTST_bad_virt_addr;
	if (s->domid == 0 || s->domid >= DOMID_FIRST_RESERVED)
		return GNTST_bad_domain;
	st = pin_grant(p, pin, s->domid, s->ref, to_guest);
	if (st != GNTST_okay)
		return st;
	if ((uint32_t)s->offset + s->len > GM_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (to_guest)
		memcpy(pin->page + s->offset, local, s->len);
	else
		memcpy(local, pin->page + s->offset, s->len);
	return GNTST_okay;
}

/*
 * CTRL_GNT_COPY: the segments in @client's arena, read once into our own
 * memory, run, and written back with their status.
 */
int dom0port_gnt_copy(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                      int *pass_fd)
{
	const struct ctrl_gnttab *q = req;
	struct dom0port *p = dom0port_of(hv);
	struct arena *a = arena_of(p, client);
	struct pin pin = {.held = false};
	struct ctrl_gnt_copy *segs;
	size_t len = (size_t)q->nr_segs * sizeof(*segs);
	void *shared;
	uint32_t i;

	if (!a)
		return -ENXIO;
	if (q->nr_segs == 0 || q->nr_segs > CTRL_GNT_COPY_SEGS || q->segs_off % 8)
		return -EINVAL;
	shared = arena_range(a, q->segs_off, len);
	if (!shared)
		return -EFAULT;
	segs = malloc(len);
	if (!segs)
		return -ENOMEM;
	memcpy(segs, shared, len);
	for (i = 0; i < q->nr_segs; i++)
		segs[i].status = (int16_t)copy_one(p, a, &pin, &segs[i]);
	unpin(p, &pin);
	memcpy(shared, segs, len);
	free(segs);
	return 0;
}

/* --- Clients. --- */

void dom0port_release(struct hv *hv, struct ctrl_client *client)
{
	struct dom0port *p = dom0port_of(hv);
	evtchn_port_t port;
	size_t h;

	if (!p || !client)
		return;
	arena_release(p, client);
	for (port = 1; port <= DOM0_MAX_PORT; port++)
		if (owns_port(p, client, port))
			close_port(p, port);
	for (h = 0;; h++) {
		struct gnttab_unmap_grant_ref op = {.handle = (grant_handle_t)h};

		pthread_mutex_lock(&p->lock);
		if (h >= p->nr_maps) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		if (p->maps[h].client == client) {
			op.host_addr = p->maps[h].cookie;
			p->maps[h].client = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (op.host_addr)
			gnttab_unmap_grant_ref(p->gt, &op, NULL);
	}
}
