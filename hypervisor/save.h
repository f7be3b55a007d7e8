/*
 * Save and restore: a domain's hypervisor state as the HV_BEGIN .. HV_END
 * records of a save stream (docs/migration-stream.md), written from a
 * paused domain and read back into a new, paused one.  The control
 * requests CTRL_SAVE and CTRL_RESTORE (control.c's table) are served here.
 *
 * A stream is a file a user hands us: every record is checked as hostile
 * input, at one place per record, before anything of it is used, and a
 * restore refused part-way destroys what it built.
 */
#ifndef SHOJI_HV_SAVE_H
#define SHOJI_HV_SAVE_H

#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "ctrlop.h"

struct domain;
struct hv;

/* What a save wrote. */
struct save_stats {
	uint64_t pages;      /* frames written with their data */
	uint64_t zero_pages; /* frames written as zero */
	uint64_t bytes;      /* stream bytes */
};

/*
 * Write @d's records to @fd at its position.  @d must be paused (-EBUSY
 * otherwise, or while a vCPU has not left KVM_RUN yet) and is left as it
 * was, whatever happens.  0, or -errno with a one-line reason in @err.
 */
int save_domain(struct domain *d, int fd, struct save_stats *st, char *err, size_t errlen);

/*
 * Build a paused domain named @name with @uuid from the records read from
 * @fd, with id @domid (0: any free one; -EEXIST when taken).  On success
 * *@out holds a reference; on failure nothing is left behind and @err says
 * which record was refused and why.  0 or -errno.
 */
int restore_domain(struct hv *hv, int fd, uint32_t domid, const char *name, const uuid_t uuid,
                   struct domain **out, char *err, size_t errlen);

/* The CTRL_SAVE and CTRL_RESTORE handlers (ctrlop.h). */
ctrl_fn save_op_save;
ctrl_fn save_op_restore;

#endif
