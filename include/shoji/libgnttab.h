/*
 * shoji/libgnttab.h - libshoji-gnttab: Dom0 grant mappings, grant copies
 * and privileged foreign mappings.
 *
 * Dom0 is domain 0 in shoji-hv's grant namespace: a guest grants a frame
 * to domain 0 (grant_entry_v1 with domid 0 and GTF_permit_access), and Dom0
 * maps it here.  shoji-hv validates the grant exactly as for a guest and
 * pins it (GTF_reading, plus GTF_writing for a writable map) until it is
 * unmapped, so the granter's end-access fails meanwhile.  The page itself
 * is mapped from the guest's memory file, which shoji-hv passes once per
 * domain and the handle caches (and passes again, replacing it, when the
 * domain id has come back as another domain: a restore keeps the saved id).
 *
 * Every call returns 0 (or a pointer) on success and -1 (or NULL) with
 * errno set on failure; nothing prints or exits.  errno for a refused
 * grant: ESRCH no such domain, EINVAL bad reference or handle, EPERM the
 * grant does not allow it (not granted to Dom0, read-only, wrong type),
 * EFAULT the granted frame is not guest RAM, ENOMEM out of map handles.
 * A handle is not thread-safe.  Mappings stay valid after the granting
 * domain is destroyed, until they are unmapped.
 */
#ifndef SHOJI_LIBGNTTAB_H
#define SHOJI_LIBGNTTAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct shoji_gnttab;

/* Connect to shoji-hv at @socket_path (NULL: /run/shoji/hv.sock). */
struct shoji_gnttab *shoji_gnttab_open(const char *socket_path);
/* Release every mapping made through @g (their memory is unmapped) and free it. */
int shoji_gnttab_close(struct shoji_gnttab *g);

/* Map grant @ref of @domid: @prot is PROT_READ or PROT_READ|PROT_WRITE.  One page. */
void *shoji_gnttab_map_grant_ref(struct shoji_gnttab *g, uint32_t domid, uint32_t ref, int prot);
/* Map @count grants (domids[i], refs[i]) into one contiguous area; all or nothing. */
void *shoji_gnttab_map_grant_refs(struct shoji_gnttab *g, uint32_t count, const uint32_t *domids,
                                  const uint32_t *refs, int prot);
/* Unmap an area returned by a map call (@count pages) and release the grants' pins. */
int shoji_gnttab_unmap(struct shoji_gnttab *g, void *addr, uint32_t count);

/* One grant copy: @len bytes between @buf and grant @ref of @domid at @offset. */
struct shoji_gnttab_copy_seg {
	uint32_t domid;
	uint32_t ref;
	uint16_t offset;
	uint16_t len; /* offset + len <= 4096 */
	int to_guest; /* nonzero: @buf -> grant; zero: grant -> @buf */
	void *buf;
	int16_t status; /* out: GNTST_* (0 = okay) */
};

/*
 * Run @count copies; each segment's status says how it went (as
 * GNTTABOP_copy).  -1 only when shoji-hv could not be asked.  shoji-hv
 * copies between the grant and the handle's copy arena, up to 4096 segments
 * per round trip: a @buf inside a buffer from shoji_gnttab_copy_buf_alloc()
 * is read or written in place, any other @buf costs one more memcpy.
 */
int shoji_gnttab_grant_copy(struct shoji_gnttab *g, uint32_t count,
                            struct shoji_gnttab_copy_seg *segs);

/*
 * A copy buffer of @len bytes (rounded up to whole pages, page-aligned) in
 * the handle's copy arena, which shoji-hv shares: grant copies to or from
 * it need no extra memcpy.  29.6 MiB per handle; NULL + ENOMEM when
 * full.  Freed with shoji_gnttab_copy_buf_free() or shoji_gnttab_close().
 */
void *shoji_gnttab_copy_buf_alloc(struct shoji_gnttab *g, size_t len);
int shoji_gnttab_copy_buf_free(struct shoji_gnttab *g, void *buf);

/*
 * Privileged foreign mapping (toolstack: store and console rings): map
 * frames [@gfn, @gfn + @n) of @domid's RAM.  EINVAL outside its RAM.
 */
void *shoji_foreign_map(struct shoji_gnttab *g, uint32_t domid, uint64_t gfn, size_t n, int prot);
int shoji_foreign_unmap(void *addr, size_t n);
/*
 * Copy frames [@gfn, @gfn + @n) of @domid's RAM into @buf (@n pages) without
 * giving memory to frames the guest never touched or ballooned out: they
 * read as zeros (a mapping's read would populate them).  0 or -1 + errno.
 */
int shoji_foreign_read(struct shoji_gnttab *g, uint32_t domid, uint64_t gfn, void *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SHOJI_LIBGNTTAB_H */
