/*
 * migstream: the framing of Shoji's save/migration stream
 * (docs/migration-stream.md).  A stream is a header, then records: each a
 * 16-byte record header (type, body length, CRC-32 of type, length and
 * body) and its body, padded with zeros to a multiple of 8 bytes.  The
 * writers and readers of each record's body (shojid, shoji-hv) own its
 * layout; this file only frames, checks and names the records.
 *
 * Streams go to files, pipes and sockets alike: every call reads or writes
 * whole, in order, and never seeks.  Functions return 0 or -1 with errno;
 * the readers also leave one line in @err saying what is wrong and where.
 */
#ifndef SHOJI_UTIL_MIGSTREAM_H
#define SHOJI_UTIL_MIGSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define MIG_MAGIC   "SHOJIMIG" /* 8 bytes, no NUL */
#define MIG_VERSION 1u
#define MIG_REC_MAX (16u << 20) /* the largest record body */
#define MIG_ERR_MAX 256

/* Record types: 0x00xx the stream's own, 0x01xx the toolstack's, 0x02xx the hypervisor's. */
enum mig_rec_type {
	MIG_REC_END = 0x0001,           /* last record of the stream (no body) */
	MIG_REC_DOMAIN_CONFIG = 0x0101, /* the domain's definition (XML text) */
	MIG_REC_XENSTORE = 0x0102,      /* the domain's xenstore nodes and permissions */
	MIG_REC_XS_WATCHES = 0x0103,    /* the guest's xenstore watches */
	MIG_REC_DEVICE = 0x0104,        /* one backend's device state */
	MIG_REC_HV_BEGIN = 0x0200,      /* the hypervisor's part starts: domain shape */
	MIG_REC_HV_PAGES = 0x0201,      /* a batch of guest frames (data or zero) */
	MIG_REC_HV_VCPU = 0x0202,       /* one vCPU's registers, LAPIC, MSRs, time */
	MIG_REC_HV_XEN = 0x0203,        /* shared_info, vcpu_info, callbacks, timers, params */
	MIG_REC_HV_EVTCHN = 0x0204,     /* event channels with pending and masked bits */
	MIG_REC_HV_GNTTAB = 0x0205,     /* the grant table and active maps */
	MIG_REC_HV_END = 0x02ff,        /* the hypervisor's part ends */
};

struct mig_header {
	char magic[8];    /* MIG_MAGIC */
	uint32_t version; /* MIG_VERSION */
	uint32_t flags;   /* none defined: 0 */
};

struct mig_rec_hdr {
	uint32_t type;   /* enum mig_rec_type */
	uint32_t length; /* body bytes, at most MIG_REC_MAX; the padding follows */
	uint32_t crc;    /* CRC-32 (zlib's) of type, length and the body */
	uint32_t reserved;
};

_Static_assert(sizeof(struct mig_header) == 16, "stream header is 16 bytes");
_Static_assert(sizeof(struct mig_rec_hdr) == 16, "record header is 16 bytes");

/* A record's name for messages ("HV_PAGES"), or "unknown". */
const char *mig_rec_name(uint32_t type);

/* Write the stream header to @fd. */
int mig_write_header(int fd);
/* Write one record of @type whose body is the @n buffers of @iov (at most MIG_REC_MAX bytes). */
int mig_write_recordv(int fd, uint32_t type, const struct iovec *iov, int n);
/* mig_write_recordv() with one buffer. */
int mig_write_record(int fd, uint32_t type, const void *body, uint32_t len);

/*
 * A reader: counts the bytes and records read, for messages, and holds the
 * body of the last record read (valid until the next read).
 */
struct mig_reader {
	int fd;
	uint64_t offset;    /* bytes read from the stream */
	unsigned int index; /* records read */
	uint8_t *body;
	size_t cap;
	char err[MIG_ERR_MAX];
};

void mig_reader_init(struct mig_reader *r, int fd);
void mig_reader_free(struct mig_reader *r);
/* Read and check the header: EPROTO for another format or version (r->err says which). */
int mig_read_header(struct mig_reader *r);
/*
 * Read the next record: its header into @h, its body into r->body.  A
 * stream that ends early is EPIPE ("truncated"), a bad checksum, length or
 * padding EBADMSG ("corrupt"); r->err names the record and its offset.
 */
int mig_read_record(struct mig_reader *r, struct mig_rec_hdr *h);
/* mig_read_record() that also requires @type (EBADMSG otherwise). */
int mig_expect_record(struct mig_reader *r, uint32_t type, struct mig_rec_hdr *h);

#endif
