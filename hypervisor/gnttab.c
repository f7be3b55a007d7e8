/*
 * Grant tables, version 1.  See gnttab.h for the interface and
 * docs/event-channels.md for the flag protocol.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "compat.h"
#include "gnttab.h"

#define PAGE_SIZE         4096u
#define ENTRIES_PER_FRAME 512u
/* Xen splits the cmd argument: low 12 bits the command, the rest an opaque continuation. */
#define GNTTABOP_CMD_MASK 0xfffu
/* Bounded cmpxchg retries on an entry the guest may be changing (as Xen). */
#define SET_STATUS_TRIES 5
/* A pin count this high is refused, like Xen's overflow guard. */
#define PIN_MAX 0x7fu

struct gnttab_active {
	uint16_t rpin; /* read-only pins (copies from, read-only maps) */
	uint16_t wpin; /* writable pins */
	domid_t domid; /* who holds the pins */
	uint64_t gfn;
	void *page;
};

struct gnttab_maptrack {
	uint32_t flags; /* GNTMAP_*; 0 = free */
	bool busy;      /* being mapped or unmapped: no unmap may name it */
	domid_t dom;
	grant_ref_t ref;
	uint64_t host_addr;
	uint64_t gfn;
	void *page;
	struct gnttab *rgt; /* holds a reference */
};

struct gnttab {
	pthread_mutex_t lock;    /* frames, active entries, dying */
	pthread_mutex_t mt_lock; /* maptrack: the mappings this domain holds */
	unsigned int refs;
	struct gnttab_world world;
	domid_t domid;
	bool privileged;
	bool dying;
	uint32_t max_frames;
	uint32_t nr_frames;
	grant_entry_v1_t **frames;     /* where each frame lives now */
	void **priv;                   /* our page for a frame not placed in guest memory */
	uint64_t *frame_gfn;           /* GFN of each placed frame, else GNTTAB_INVALID_GFN */
	struct gnttab_active **active; /* ENTRIES_PER_FRAME per frame */
	const struct gnttab_mem_ops *mem;
	void *owner;
	struct gnttab_maptrack *mt;
	uint32_t mt_nr;  /* entries allocated */
	uint32_t mt_max; /* limit */
};

/* The flags and domid of an entry as the one 32-bit word they share. */
static uint32_t *entry_word(grant_entry_v1_t *e)
{
	return (uint32_t *)(void *)e;
}

static struct gnttab *lookup(struct gnttab *cur, domid_t domid)
{
	if (domid == cur->domid) {
		gnttab_get(cur);
		return cur;
	}
	if (!cur->world.get_table)
		return NULL;
	return cur->world.get_table(cur->world.opaque, domid);
}

/* Xen's rcu_lock_domain_by_any_id: DOMID_SELF is the caller. */
static struct gnttab *lookup_any(struct gnttab *cur, domid_t domid)
{
	return lookup(cur, domid == DOMID_SELF ? cur->domid : domid);
}

static bool may_target(const struct gnttab *cur, const struct gnttab *gt)
{
	return cur == gt || cur->privileged;
}

/* Grow to @n frames (lock held).  0 or -XEN_ENOMEM. */
static int grow(struct gnttab *gt, uint32_t n)
{
	uint32_t i;

	for (i = gt->nr_frames; i < n; i++) {
		gt->priv[i] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		gt->active[i] = calloc(ENTRIES_PER_FRAME, sizeof(struct gnttab_active));
		if (!gt->priv[i] || !gt->active[i]) {
			free(gt->priv[i]);
			free(gt->active[i]);
			gt->priv[i] = NULL;
			gt->active[i] = NULL;
			return -XEN_ENOMEM;
		}
		memset(gt->priv[i], 0, PAGE_SIZE);
		gt->frames[i] = gt->priv[i];
		gt->frame_gfn[i] = GNTTAB_INVALID_GFN;
		gt->nr_frames = i + 1;
	}
	return 0;
}

struct gnttab *gnttab_create(const struct gnttab_world *world, const struct gnttab_params *p)
{
	struct gnttab *gt;
	uint32_t max = p->max_frames ? p->max_frames : GNTTAB_DEFAULT_MAX_FRAMES;

	if (!p->mem || !p->mem->gfn_to_host || p->domid >= DOMID_FIRST_RESERVED ||
	    max > (UINT32_MAX / ENTRIES_PER_FRAME)) {
		errno = EINVAL;
		return NULL;
	}
	gt = calloc(1, sizeof(*gt));
	if (!gt)
		return NULL;
	gt->frames = calloc(max, sizeof(*gt->frames));
	gt->priv = calloc(max, sizeof(*gt->priv));
	gt->frame_gfn = calloc(max, sizeof(*gt->frame_gfn));
	gt->active = calloc(max, sizeof(*gt->active));
	gt->max_frames = max;
	if (!gt->frames || !gt->priv || !gt->frame_gfn || !gt->active || grow(gt, 1) != 0) {
		gt->refs = 1;
		gnttab_put(gt);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&gt->lock, NULL);
	pthread_mutex_init(&gt->mt_lock, NULL);
	gt->refs = 1;
	if (world)
		gt->world = *world;
	gt->domid = p->domid;
	gt->privileged = p->privileged;
	gt->mem = p->mem;
	gt->owner = p->owner;
	gt->mt_max = p->max_maptrack ? p->max_maptrack : GNTTAB_DEFAULT_MAX_MAPTRACK;
	return gt;
}

void gnttab_get(struct gnttab *gt)
{
	__atomic_fetch_add(&gt->refs, 1, __ATOMIC_RELAXED);
}

void gnttab_put(struct gnttab *gt)
{
	uint32_t i;

	if (__atomic_sub_fetch(&gt->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (gt->mem && gt->mem->release)
		gt->mem->release(gt->owner);
	for (i = 0; i < gt->max_frames && gt->priv; i++) {
		free(gt->priv[i]);
		free(gt->active[i]);
	}
	if (gt->mem) {
		pthread_mutex_destroy(&gt->lock);
		pthread_mutex_destroy(&gt->mt_lock);
	}
	free(gt->frames);
	free(gt->priv);
	free(gt->frame_gfn);
	free(gt->active);
	free(gt->mt);
	free(gt);
}

void *gnttab_own_page(struct gnttab *gt, uint32_t idx)
{
	void *page = NULL;

	pthread_mutex_lock(&gt->lock);
	if (!gt->dying && idx < gt->max_frames && (idx < gt->nr_frames || grow(gt, idx + 1) == 0))
		page = gt->priv[idx];
	pthread_mutex_unlock(&gt->lock);
	return page;
}

int gnttab_map_frame(struct gnttab *gt, uint32_t idx, uint64_t gfn, void *page)
{
	int rc = 0;

	if (!page)
		return -XEN_EINVAL;
	pthread_mutex_lock(&gt->lock);
	if (gt->dying || idx >= gt->max_frames) {
		rc = -XEN_EINVAL;
		goto out;
	}
	if (idx >= gt->nr_frames) {
		rc = grow(gt, idx + 1);
		if (rc != 0)
			goto out;
	}
	if ((void *)gt->frames[idx] != page)
		memcpy(page, gt->frames[idx], PAGE_SIZE);
	gt->frames[idx] = page;
	gt->frame_gfn[idx] = gfn;
out:
	pthread_mutex_unlock(&gt->lock);
	return rc;
}

/* --- Pinning: the flag protocol (granter's table lock held) --- */

/*
 * Set GTF_reading (and GTF_writing unless @readonly) in the entry with a
 * cmpxchg that also re-checks type, domid and GTF_readonly, so a granter's
 * concurrent end-access either wins (we fail) or fails.  When the entry is
 * already pinned (@pinned) only GTF_readonly is checked.
 */
static int set_status(grant_entry_v1_t *e, bool pinned, bool readonly, bool mapflag, domid_t ldom)
{
	uint32_t *word = entry_word(e);
	uint32_t cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	uint16_t mask = GTF_type_mask | (mapflag ? GTF_sub_page : 0);
	int tries;

	for (tries = 0; tries < SET_STATUS_TRIES; tries++) {
		uint16_t flags = (uint16_t)(cur & 0xffff);
		domid_t dom = (domid_t)(cur >> 16);
		uint32_t want;

		if (!pinned && ((flags & mask) != GTF_permit_access || dom != ldom))
			return GNTST_general_error;
		want = cur | GTF_reading;
		if (!readonly) {
			if (flags & GTF_readonly)
				return GNTST_general_error;
			want |= GTF_writing;
		}
		if (__atomic_compare_exchange_n(word, &cur, want, false, __ATOMIC_SEQ_CST,
		                                __ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error; /* the guest keeps changing it */
}

static void clear_flags(grant_entry_v1_t *e, uint32_t bits)
{
	if (bits)
		__atomic_fetch_and(entry_word(e), ~bits, __ATOMIC_SEQ_CST);
}

static grant_entry_v1_t *entry(struct gnttab *gt, grant_ref_t ref)
{
	return &gt->frames[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct gnttab_active *active(struct gnttab *gt, grant_ref_t ref)
{
	return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/*
 * Pin grant @ref of @rgt for domain @ldom (Xen's acquire_grant_for_copy
 * and the pinning half of map_grant_ref).  GNTST_okay with the granted
 * page and GFN, or a GNTST_* error with nothing pinned.
 */
static int acquire(struct gnttab *rgt, grant_ref_t ref, domid_t ldom, bool readonly, bool mapflag,
                   void **page, uint64_t *gfn)
{
	struct gnttab_active *act;
	grant_entry_v1_t *e;
	bool pinned;
	int rc = GNTST_okay;

	pthread_mutex_lock(&rgt->lock);
	if (rgt->dying) {
		rc = GNTST_bad_domain;
		goto out;
	}
	if (ref >= rgt->nr_frames * ENTRIES_PER_FRAME) {
		rc = GNTST_bad_gntref;
		goto out;
	}
	e = entry(rgt, ref);
	act = active(rgt, ref);
	pinned = act->rpin || act->wpin;
	if (pinned && (act->domid != ldom || act->rpin >= PIN_MAX || act->wpin >= PIN_MAX)) {
		rc = GNTST_general_error;
		goto out;
	}
	if (!pinned || (!readonly && !act->wpin)) {
		rc = set_status(e, pinned, readonly, mapflag, ldom);
		if (rc != GNTST_okay)
			goto out;
		if (!pinned) {
			uint64_t f = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
			void *p = rgt->mem->gfn_to_host(rgt->owner, f);

			if (!p) {
				clear_flags(e, readonly ? GTF_reading : GTF_reading | GTF_writing);
				rc = GNTST_bad_page;
				goto out;
			}
			act->domid = ldom;
			act->gfn = f;
			act->page = p;
		}
	}
	if (readonly)
		act->rpin++;
	else
		act->wpin++;
	*page = act->page;
	*gfn = act->gfn;
out:
	pthread_mutex_unlock(&rgt->lock);
	return rc;
}

/* Undo one acquire(); the last writer clears GTF_writing, the last pin GTF_reading. */
static void release(struct gnttab *rgt, grant_ref_t ref, bool readonly)
{
	struct gnttab_active *act;
	uint32_t bits = 0;

	pthread_mutex_lock(&rgt->lock);
	act = active(rgt, ref);
	if (readonly) {
		act->rpin--;
	} else {
		act->wpin--;
		if (!act->wpin)
			bits |= GTF_writing;
	}
	if (!act->rpin && !act->wpin)
		bits |= GTF_reading;
	clear_flags(entry(rgt, ref), bits);
	pthread_mutex_unlock(&rgt->lock);
}

/* --- GNTTABOP_copy --- */

struct copy_side {
	struct gnttab *gt;
	bool have_grant;
	grant_ref_t ref;
	void *page;
};

static int copy_domain(struct gnttab *cur, const struct gnttab_copy_ptr *ptr, bool is_gref,
                       struct copy_side *s)
{
	/* Only the caller's own frames may be named by GFN. */
	if (!is_gref && ptr->domid != DOMID_SELF)
		return GNTST_permission_denied;
	s->gt = lookup_any(cur, ptr->domid);
	return s->gt ? GNTST_okay : GNTST_bad_domain;
}

static int copy_claim(struct gnttab *cur, const struct gnttab_copy_ptr *ptr, bool is_gref,
                      bool readonly, struct copy_side *s)
{
	uint64_t gfn;
	int rc;

	if (is_gref) {
		rc = acquire(s->gt, ptr->u.ref, cur->domid, readonly, false, &s->page, &gfn);
		if (rc != GNTST_okay)
			return rc;
		s->have_grant = true;
		s->ref = ptr->u.ref;
		return GNTST_okay;
	}
	s->page = s->gt->mem->gfn_to_host(s->gt->owner, ptr->u.gmfn);
	return s->page ? GNTST_okay : GNTST_bad_page;
}

static void copy_release(struct copy_side *s, bool readonly)
{
	if (s->have_grant)
		release(s->gt, s->ref, readonly);
	if (s->gt)
		gnttab_put(s->gt);
}

void gnttab_copy(struct gnttab *cur, struct gnttab_copy *op)
{
	struct copy_side src = {0}, dst = {0};
	bool src_gref = op->flags & GNTCOPY_source_gref;
	bool dst_gref = op->flags & GNTCOPY_dest_gref;
	int rc;

	rc = copy_domain(cur, &op->source, src_gref, &src);
	if (rc == GNTST_okay)
		rc = copy_domain(cur, &op->dest, dst_gref, &dst);
	if (rc == GNTST_okay)
		rc = copy_claim(cur, &op->source, src_gref, true, &src);
	if (rc == GNTST_okay)
		rc = copy_claim(cur, &op->dest, dst_gref, false, &dst);
	if (rc == GNTST_okay && ((uint32_t)op->source.offset + op->len > PAGE_SIZE ||
	                         (uint32_t)op->dest.offset + op->len > PAGE_SIZE))
		rc = GNTST_bad_copy_arg;
	if (rc == GNTST_okay)
		memmove((char *)dst.page + op->dest.offset, (char *)src.page + op->source.offset,
		        op->len);
	copy_release(&dst, false);
	copy_release(&src, true);
	op->status = (int16_t)rc;
}

/* --- Mapping --- */

/* A free maptrack handle marked busy, or -1 (mt_lock not held). */
static int64_t get_handle(struct gnttab *gt)
{
	uint32_t h, n;
	struct gnttab_maptrack *mt;
	int64_t rc = -1;

	pthread_mutex_lock(&gt->mt_lock);
	for (h = 0; h < gt->mt_nr; h++)
		if (!gt->mt[h].flags && !gt->mt[h].busy)
			goto found;
	if (gt->mt_nr >= gt->mt_max)
		goto out;
	n = gt->mt_nr ? gt->mt_nr * 2 : 64;
	if (n > gt->mt_max)
		n = gt->mt_max;
	mt = realloc(gt->mt, (size_t)n * sizeof(*mt));
	if (!mt)
		goto out;
	memset(mt + gt->mt_nr, 0, (size_t)(n - gt->mt_nr) * sizeof(*mt));
	gt->mt = mt;
	h = gt->mt_nr;
	gt->mt_nr = n;
found:
	gt->mt[h].busy = true;
	rc = h;
out:
	pthread_mutex_unlock(&gt->mt_lock);
	return rc;
}

static void put_handle(struct gnttab *gt, uint32_t h)
{
	pthread_mutex_lock(&gt->mt_lock);
	memset(&gt->mt[h], 0, sizeof(gt->mt[h]));
	pthread_mutex_unlock(&gt->mt_lock);
}

/*
 * Pin and take a handle.  With @keep_busy the handle stays busy (no unmap
 * can name it) until the caller has created the mapping and calls
 * map_done(), so a concurrent unmap cannot release the pin of a mapping
 * that is still being made.
 */
static void map_common(struct gnttab *cur, struct gnttab_map_grant_ref *op,
                       struct gnttab_mapping *m, bool keep_busy)
{
	bool readonly = op->flags & GNTMAP_readonly;
	struct gnttab *rgt;
	struct gnttab_maptrack *t;
	int64_t h;
	uint64_t gfn;
	void *page;
	int rc;

	if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
		op->status = GNTST_bad_gntref;
		return;
	}
	/* Every Shoji domain is translated (HVM-like): no device or PV PTE mappings. */
	if (op->flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte)) {
		op->status = GNTST_general_error;
		return;
	}
	/* Xen looks the granter up by id only: DOMID_SELF is no domain here. */
	rgt = op->dom == DOMID_SELF ? NULL : lookup(cur, op->dom);
	if (!rgt) {
		op->status = GNTST_bad_domain;
		return;
	}
	h = get_handle(cur);
	if (h < 0) {
		/* Out of maptrack handles: Xen 4.16+ says no_space (before: no_device_space). */
		gnttab_put(rgt);
		op->status = GNTST_no_space;
		return;
	}
	rc = acquire(rgt, op->ref, cur->domid, readonly, true, &page, &gfn);
	if (rc != GNTST_okay) {
		put_handle(cur, (uint32_t)h);
		gnttab_put(rgt);
		op->status = (int16_t)rc;
		return;
	}
	pthread_mutex_lock(&cur->mt_lock);
	t = &cur->mt[h];
	t->dom = op->dom;
	t->ref = op->ref;
	t->host_addr = op->host_addr;
	t->gfn = gfn;
	t->page = page;
	t->rgt = rgt; /* keeps the lookup reference */
	t->flags = op->flags;
	t->busy = keep_busy;
	pthread_mutex_unlock(&cur->mt_lock);
	op->handle = (grant_handle_t)h;
	op->dev_bus_addr = gfn << 12;
	op->status = GNTST_okay;
	if (m)
		*m = (struct gnttab_mapping){.handle = (grant_handle_t)h,
		                             .dom = op->dom,
		                             .ref = op->ref,
		                             .gfn = gfn,
		                             .page = page,
		                             .host_addr = op->host_addr,
		                             .readonly = readonly,
		                             .owner = rgt->owner};
}

void gnttab_map_grant_ref(struct gnttab *cur, struct gnttab_map_grant_ref *op,
                          struct gnttab_mapping *m)
{
	map_common(cur, op, m, false);
}

/* The mapping of handle @h (kept busy by map_common) exists now: unmaps may name it. */
static void map_done(struct gnttab *cur, grant_handle_t h)
{
	pthread_mutex_lock(&cur->mt_lock);
	cur->mt[h].busy = false;
	pthread_mutex_unlock(&cur->mt_lock);
}

/*
 * Drop handle @h (already marked busy): @io, when given, removes the
 * caller's mapping first, so the granter cannot end access while the
 * grant is still mapped; then the handle is freed and the pin released.
 */
static void unmap_handle(struct gnttab *cur, uint32_t h, struct gnttab_mapping *m,
                         const struct gnttab_guest_io *io)
{
	struct gnttab_maptrack t;
	struct gnttab_mapping map;

	pthread_mutex_lock(&cur->mt_lock);
	t = cur->mt[h];
	pthread_mutex_unlock(&cur->mt_lock);
	map = (struct gnttab_mapping){.handle = h,
	                              .dom = t.dom,
	                              .ref = t.ref,
	                              .gfn = t.gfn,
	                              .page = t.page,
	                              .host_addr = t.host_addr,
	                              .readonly = t.flags & GNTMAP_readonly,
	                              .owner = t.rgt->owner};
	if (io && io->unmap_grant)
		io->unmap_grant(io->ctx, &map);
	put_handle(cur, h);
	release(t.rgt, t.ref, t.flags & GNTMAP_readonly);
	gnttab_put(t.rgt);
	if (m)
		*m = map;
}

/*
 * Xen's unmap_common for a translated caller: a zero host_addr unmaps
 * nothing; a host_addr in another page than the mapping's is refused (Xen
 * finds no grant mapping of the frame there); dev_bus_addr only matters for
 * GNTMAP_device_map mappings, which do not exist here.
 */
static void unmap_one(struct gnttab *cur, struct gnttab_unmap_grant_ref *op,
                      struct gnttab_mapping *m, const struct gnttab_guest_io *io)
{
	struct gnttab_maptrack *t;
	int rc = GNTST_okay;

	pthread_mutex_lock(&cur->mt_lock);
	t = op->handle < cur->mt_nr ? &cur->mt[op->handle] : NULL;
	if (!t || !t->flags || t->busy)
		rc = GNTST_bad_handle;
	else if (op->host_addr && op->host_addr >> 12 != t->host_addr >> 12)
		rc = GNTST_general_error;
	else if (op->host_addr)
		t->busy = true;
	pthread_mutex_unlock(&cur->mt_lock);
	op->status = (int16_t)rc;
	if (rc == GNTST_okay && op->host_addr)
		unmap_handle(cur, op->handle, m, io);
}

void gnttab_unmap_grant_ref(struct gnttab *cur, struct gnttab_unmap_grant_ref *op,
                            struct gnttab_mapping *m)
{
	unmap_one(cur, op, m, NULL);
}

void gnttab_destroy(struct gnttab *gt)
{
	uint32_t h;

	pthread_mutex_lock(&gt->lock);
	gt->dying = true;
	pthread_mutex_unlock(&gt->lock);
	for (h = 0; h < gt->mt_nr; h++) {
		struct gnttab_maptrack t;

		pthread_mutex_lock(&gt->mt_lock);
		t = gt->mt[h];
		if (t.flags && !t.busy)
			memset(&gt->mt[h], 0, sizeof(gt->mt[h]));
		pthread_mutex_unlock(&gt->mt_lock);
		if (!t.flags || t.busy)
			continue;
		release(t.rgt, t.ref, t.flags & GNTMAP_readonly);
		gnttab_put(t.rgt);
	}
	gnttab_put(gt);
}

/* --- Save and restore --- */

uint32_t gnttab_nr_frames(struct gnttab *gt)
{
	uint32_t n;

	pthread_mutex_lock(&gt->lock);
	n = gt->nr_frames;
	pthread_mutex_unlock(&gt->lock);
	return n;
}

int gnttab_export_frame(struct gnttab *gt, uint32_t idx, uint64_t *gfn, void *content)
{
	int rc = 0;

	pthread_mutex_lock(&gt->lock);
	if (idx >= gt->nr_frames) {
		rc = -XEN_EINVAL;
	} else {
		*gfn = gt->frame_gfn[idx];
		if (gt->frames[idx] == gt->priv[idx]) {
			memcpy(content, gt->frames[idx], PAGE_SIZE);
			rc = 1;
		}
	}
	pthread_mutex_unlock(&gt->lock);
	return rc;
}

int gnttab_import_frame(struct gnttab *gt, uint32_t idx, uint64_t gfn, void *page,
                        const void *content)
{
	grant_entry_v1_t *e;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&gt->lock);
	rc = idx < gt->max_frames ? grow(gt, idx + 1) : -XEN_EINVAL;
	if (rc != 0)
		goto out;
	if (page) {
		gt->frames[idx] = page;
		gt->frame_gfn[idx] = gfn;
	} else {
		memcpy(gt->priv[idx], content, PAGE_SIZE);
		gt->frames[idx] = gt->priv[idx];
		gt->frame_gfn[idx] = gfn;
	}
	/* Nobody maps or copies them on this side: no grant is in use. */
	for (i = 0, e = gt->frames[idx]; i < ENTRIES_PER_FRAME; i++)
		__atomic_fetch_and(&e[i].flags, (uint16_t) ~(GTF_reading | GTF_writing),
		                   __ATOMIC_SEQ_CST);
out:
	pthread_mutex_unlock(&gt->lock);
	return rc;
}

/* --- Table-wide operations --- */

void gnttab_query_size(struct gnttab *cur, struct gnttab_query_size *op)
{
	struct gnttab *gt = lookup_any(cur, op->dom);

	if (!gt) {
		op->status = GNTST_bad_domain;
		return;
	}
	if (!may_target(cur, gt)) {
		op->status = GNTST_permission_denied;
	} else {
		pthread_mutex_lock(&gt->lock);
		op->nr_frames = gt->nr_frames;
		op->max_nr_frames = gt->max_frames;
		pthread_mutex_unlock(&gt->lock);
		op->status = GNTST_okay;
	}
	gnttab_put(gt);
}

/* Only version 1 exists here: Xen with gnttab max version 1 answers 2 with -ENOSYS. */
int gnttab_set_version(struct gnttab *cur, struct gnttab_set_version *op)
{
	int rc = 0;

	if (op->version != 1 && op->version != 2)
		rc = -XEN_EINVAL;
	else if (op->version == 2)
		rc = -XEN_ENOSYS;
	op->version = 1;
	return rc;
}

int gnttab_get_version(struct gnttab *cur, struct gnttab_get_version *op)
{
	struct gnttab *gt = lookup_any(cur, op->dom);
	int rc = 0;

	if (!gt)
		return -XEN_ESRCH;
	if (!may_target(cur, gt))
		rc = -XEN_EPERM;
	else
		op->version = 1;
	gnttab_put(gt);
	return rc;
}

/* x86 caches are coherent: validate as Xen does, then nothing to flush. */
int gnttab_cache_flush(struct gnttab *cur, const struct gnttab_cache_flush *op)
{
	if (op->offset >= PAGE_SIZE || op->length > PAGE_SIZE ||
	    (uint32_t)op->offset + op->length > PAGE_SIZE ||
	    (op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_SOURCE_GREF)))
		return -XEN_EINVAL;
	if (op->length == 0 || op->op == 0)
		return 0;
	if (op->op & GNTTAB_CACHE_SOURCE_GREF)
		return -XEN_EOPNOTSUPP;
	return 0;
}

/* setup_table writes the frame list to guest memory, so it needs @io. */
static int setup_table(struct gnttab *cur, struct gnttab_setup_table *op,
                       const struct gnttab_guest_io *io)
{
	struct gnttab *gt = lookup_any(cur, op->dom);
	uint64_t gfn;
	uint32_t i;

	if (!gt) {
		op->status = GNTST_bad_domain;
		return 0;
	}
	if (!may_target(cur, gt)) {
		op->status = GNTST_permission_denied;
		goto out;
	}
	pthread_mutex_lock(&gt->lock);
	if (op->nr_frames > gt->max_frames || gt->dying) {
		op->status = GNTST_general_error;
	} else if (op->nr_frames > gt->nr_frames && grow(gt, op->nr_frames) != 0) {
		op->status = GNTST_general_error;
	} else {
		op->status = GNTST_okay;
		for (i = 0; i < op->nr_frames; i++) {
			/* A 32-bit caller's xen_pfn_t is the low half (little-endian). */
			size_t pfn_size = io->compat ? COMPAT_PFN_SIZE : sizeof(gfn);

			gfn = gt->frame_gfn[i];
			if (io->copy_to(io->ctx,
			                (uint64_t)(uintptr_t)op->frame_list.p + i * pfn_size, &gfn,
			                pfn_size) != 0)
				op->status = GNTST_bad_virt_addr;
		}
	}
	pthread_mutex_unlock(&gt->lock);
out:
	gnttab_put(gt);
	return 0;
}

/* --- The hypercall: one table entry per GNTTABOP_* --- */

union gnttab_op_arg {
	struct gnttab_map_grant_ref map;
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_setup_table setup;
	struct gnttab_copy copy;
	struct gnttab_query_size query;
	struct gnttab_set_version set_version;
	struct gnttab_get_version get_version;
	struct gnttab_get_status_frames status_frames;
	struct gnttab_cache_flush cache_flush;
};

static int op_map(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io)
{
	struct gnttab_mapping m;
	int rc;

	map_common(cur, &a->map, &m, true);
	if (a->map.status != GNTST_okay)
		return 0;
	rc = io->map_grant ? io->map_grant(io->ctx, &m) : GNTST_general_error;
	if (rc == GNTST_okay) {
		map_done(cur, m.handle);
	} else {
		unmap_handle(cur, m.handle, NULL, NULL); /* the hook left nothing mapped */
		a->map.status = (int16_t)(rc < 0 ? rc : GNTST_general_error);
	}
	return 0;
}

static int op_unmap(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io)
{
	unmap_one(cur, &a->unmap, NULL, io);
	return 0;
}

static int op_setup(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io)
{
	return setup_table(cur, &a->setup, io);
}

static int op_copy(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io)
{
	gnttab_copy(cur, &a->copy);
	return 0;
}

static int op_query(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io)
{
	gnttab_query_size(cur, &a->query);
	return 0;
}

static int op_set_version(struct gnttab *cur, union gnttab_op_arg *a,
                          const struct gnttab_guest_io *io)
{
	return gnttab_set_version(cur, &a->set_version);
}

static int op_get_version(struct gnttab *cur, union gnttab_op_arg *a,
                          const struct gnttab_guest_io *io)
{
	return gnttab_get_version(cur, &a->get_version);
}

/* Version 1 tables have no status frames: asking for any is Xen's general error. */
static int op_status_frames(struct gnttab *cur, union gnttab_op_arg *a,
                            const struct gnttab_guest_io *io)
{
	struct gnttab_get_status_frames *op = &a->status_frames;
	struct gnttab *gt = lookup_any(cur, op->dom);

	if (!gt) {
		op->status = GNTST_bad_domain;
		return 0;
	}
	if (!may_target(cur, gt))
		op->status = GNTST_permission_denied;
	else
		op->status = op->nr_frames ? GNTST_general_error : GNTST_okay;
	gnttab_put(gt);
	return 0;
}

static int op_cache_flush(struct gnttab *cur, union gnttab_op_arg *a,
                          const struct gnttab_guest_io *io)
{
	return gnttab_cache_flush(cur, &a->cache_flush);
}

struct gnttab_op_desc {
	size_t size;
	const struct compat_layout *compat; /* the 32-bit layout, where it differs */
	bool single;                        /* count must be 1 */
	size_t out_off;                     /* the part copied back to the guest ... */
	size_t out_len;                     /* ... (0: nothing) */
	bool out_always;                    /* copy back even when the op fails (set_version) */
	int (*fn)(struct gnttab *cur, union gnttab_op_arg *a, const struct gnttab_guest_io *io);
};

#define WHOLE(type)        0, sizeof(struct type)
#define FIELD(type, field) offsetof(struct type, field), sizeof(((struct type *)0)->field)

static const struct gnttab_op_desc gnttab_op_table[] = {
    [GNTTABOP_map_grant_ref] = {sizeof(struct gnttab_map_grant_ref), NULL, false,
                                WHOLE(gnttab_map_grant_ref), false, op_map},
    [GNTTABOP_unmap_grant_ref] = {sizeof(struct gnttab_unmap_grant_ref), NULL, false,
                                  FIELD(gnttab_unmap_grant_ref, status), false, op_unmap},
    [GNTTABOP_setup_table] = {sizeof(struct gnttab_setup_table), &compat_gnttab_setup_table, true,
                              FIELD(gnttab_setup_table, status), false, op_setup},
    [GNTTABOP_copy] = {sizeof(struct gnttab_copy), &compat_gnttab_copy, false,
                       FIELD(gnttab_copy, status), false, op_copy},
    [GNTTABOP_query_size] = {sizeof(struct gnttab_query_size), NULL, true, WHOLE(gnttab_query_size),
                             false, op_query},
    [GNTTABOP_set_version] = {sizeof(struct gnttab_set_version), NULL, true,
                              WHOLE(gnttab_set_version), true, op_set_version},
    [GNTTABOP_get_status_frames] = {sizeof(struct gnttab_get_status_frames),
                                    &compat_gnttab_get_status_frames, true,
                                    FIELD(gnttab_get_status_frames, status), false,
                                    op_status_frames},
    [GNTTABOP_get_version] = {sizeof(struct gnttab_get_version), NULL, true,
                              FIELD(gnttab_get_version, version), false, op_get_version},
    [GNTTABOP_cache_flush] = {sizeof(struct gnttab_cache_flush), NULL, false, 0, 0, false,
                              op_cache_flush},
};

/* Read the op at @addr into @a, in the caller's layout.  0 or -XEN_EFAULT. */
static int op_read(const struct gnttab_op_desc *desc, const struct compat_layout *cl,
                   union gnttab_op_arg *a, uint64_t addr, const struct gnttab_guest_io *io)
{
	unsigned char raw[COMPAT_MAX_SIZE];

	memset(a, 0, sizeof(*a));
	if (!cl)
		return io->copy_from(io->ctx, a, addr, desc->size) ? -XEN_EFAULT : 0;
	if (io->copy_from(io->ctx, raw, addr, cl->compat_size))
		return -XEN_EFAULT;
	compat_to_native(cl, a, raw);
	return 0;
}

/* Write @desc's OUT part of @a back, in the caller's layout.  0 or -XEN_EFAULT. */
static int op_write(const struct gnttab_op_desc *desc, const struct compat_layout *cl,
                    const union gnttab_op_arg *a, uint64_t addr, const struct gnttab_guest_io *io)
{
	unsigned char raw[COMPAT_MAX_SIZE];
	const struct compat_field *f;

	if (!cl)
		return io->copy_to(io->ctx, addr + desc->out_off, (const char *)a + desc->out_off,
		                   desc->out_len)
		           ? -XEN_EFAULT
		           : 0;
	f = compat_field(cl, desc->out_off); /* the OUT part is one field (status) */
	if (!f)
		return -XEN_EFAULT;
	compat_from_native(cl, raw, a);
	return io->copy_to(io->ctx, addr + f->compat_off, raw + f->compat_off, f->compat_size)
	           ? -XEN_EFAULT
	           : 0;
}

/* @cmd's entry (its GNTTABOP_CMD_MASK bits), or NULL. */
static const struct gnttab_op_desc *op_desc(unsigned int cmd)
{
	cmd &= GNTTABOP_CMD_MASK;
	if (cmd >= sizeof(gnttab_op_table) / sizeof(gnttab_op_table[0]) || !gnttab_op_table[cmd].fn)
		return NULL;
	return &gnttab_op_table[cmd];
}

size_t gnttab_op_size(unsigned int cmd, bool compat)
{
	const struct gnttab_op_desc *desc = op_desc(cmd);

	if (!desc)
		return 0;
	return compat && desc->compat ? desc->compat->compat_size : desc->size;
}

long gnttab_hypercall(struct gnttab *cur, unsigned int cmd, uint64_t uop, uint32_t count,
                      const struct gnttab_guest_io *io)
{
	const struct gnttab_op_desc *desc;
	const struct compat_layout *cl;
	union gnttab_op_arg a;
	uint64_t addr;
	size_t stride;
	uint32_t i;
	int rc;

	if ((int32_t)count < 0)
		return -XEN_EINVAL;
	if ((cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush)
		return -XEN_EINVAL;
	desc = op_desc(cmd);
	if (!desc)
		return -XEN_ENOSYS;
	if (desc->single && count != 1)
		return -XEN_EINVAL;
	cl = io->compat ? desc->compat : NULL;
	stride = gnttab_op_size(cmd, io->compat);
	for (i = 0; i < count; i++) {
		addr = uop + (uint64_t)i * stride;
		if (op_read(desc, cl, &a, addr, io) < 0)
			return -XEN_EFAULT;
		rc = desc->fn(cur, &a, io);
		if ((rc == 0 || desc->out_always) && desc->out_len &&
		    op_write(desc, cl, &a, addr, io) < 0)
			return -XEN_EFAULT;
		if (rc < 0)
			return rc;
		if (i + 1 < count && io->preempt && io->preempt(io->ctx))
			return (long)i + 1;
	}
	return 0;
}
