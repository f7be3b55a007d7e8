/* migstream: framing, checksums and checks of the save/migration stream. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "migstream.h"

#define PAD(len) ((8u - ((len)&7u)) & 7u)

static const struct {
	uint32_t type;
	const char *name;
} rec_names[] = {
    {MIG_REC_END, "END"},
    {MIG_REC_DOMAIN_CONFIG, "DOMAIN_CONFIG"},
    {MIG_REC_XENSTORE, "XENSTORE"},
    {MIG_REC_XS_WATCHES, "XS_WATCHES"},
    {MIG_REC_DEVICE, "DEVICE"},
    {MIG_REC_HV_BEGIN, "HV_BEGIN"},
    {MIG_REC_HV_PAGES, "HV_PAGES"},
    {MIG_REC_HV_VCPU, "HV_VCPU"},
    {MIG_REC_HV_XEN, "HV_XEN"},
    {MIG_REC_HV_EVTCHN, "HV_EVTCHN"},
    {MIG_REC_HV_GNTTAB, "HV_GNTTAB"},
    {MIG_REC_HV_END, "HV_END"},
};

const char *mig_rec_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(rec_names) / sizeof(rec_names[0]); i++)
		if (rec_names[i].type == type)
			return rec_names[i].name;
	return "unknown";
}

/* Write all of @iov (n buffers), however the descriptor splits it. */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static uint32_t rec_crc(uint32_t type, uint32_t length, const struct iovec *iov, int n)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	uint8_t le[8];
	int i;

	for (i = 0; i < 4; i++) {
		le[i] = (uint8_t)(type >> (8 * i));
		le[4 + i] = (uint8_t)(length >> (8 * i));
	}
	crc = crc32(crc, le, sizeof(le));
	for (i = 0; i < n; i++)
		if (iov[i].iov_len) /* zlib takes a NULL buffer as "start again" */
			crc = crc32_z(crc, iov[i].iov_base, iov[i].iov_len);
	return (uint32_t)crc;
}

int mig_write_header(int fd)
{
	struct mig_header h = {.version = MIG_VERSION};
	struct iovec iov = {&h, sizeof(h)};

	memcpy(h.magic, MIG_MAGIC, sizeof(h.magic));
	return write_all(fd, &iov, 1);
}

int mig_write_recordv(int fd, uint32_t type, const struct iovec *iov, int n)
{
	static const uint8_t zeros[8];
	struct iovec v[18];
	struct mig_rec_hdr h = {.type = type};
	size_t len = 0;
	int i;

	if (n < 0 || n > 16) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len > MIG_REC_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	h.length = (uint32_t)len;
	h.crc = rec_crc(type, h.length, iov, n);
	v[0] = (struct iovec){&h, sizeof(h)};
	memcpy(&v[1], iov, sizeof(*iov) * (size_t)n);
	v[n + 1] = (struct iovec){(void *)zeros, PAD(h.length)};
	return write_all(fd, v, n + 2);
}

int mig_write_record(int fd, uint32_t type, const void *body, uint32_t len)
{
	struct iovec iov = {(void *)body, len};

	return mig_write_recordv(fd, type, &iov, 1);
}

void mig_reader_init(struct mig_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
}

void mig_reader_free(struct mig_reader *r)
{
	free(r->body);
	r->body = NULL;
	r->cap = 0;
}

static int fail(struct mig_reader *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

/* Read exactly @len bytes: 1, 0 when the stream ended first, -1 on error (errno). */
static int read_all(struct mig_reader *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(r->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		p += n;
		len -= (size_t)n;
		r->offset += (uint64_t)n;
	}
	return 1;
}

int mig_read_header(struct mig_reader *r)
{
	struct mig_header h;
	int rc = read_all(r, &h, sizeof(h));

	if (rc < 0)
		return fail(r, errno, "cannot read the stream: %s", strerror(errno));
	if (rc == 0 || memcmp(h.magic, MIG_MAGIC, sizeof(h.magic)) != 0)
		return fail(r, EPROTO, "not a Shoji save stream (no %s header)", MIG_MAGIC);
	if (h.version != MIG_VERSION)
		return fail(r, EPROTO, "stream format version %u, this Shoji reads version %u only",
		            h.version, MIG_VERSION);
	if (h.flags != 0)
		return fail(r, EPROTO, "stream header has unknown flags 0x%x", h.flags);
	return 0;
}

int mig_read_record(struct mig_reader *r, struct mig_rec_hdr *h)
{
	uint64_t at = r->offset;
	size_t total;
	uint8_t pad[8];
	struct iovec iov;
	int rc;

	rc = read_all(r, h, sizeof(*h));
	if (rc < 0)
		return fail(r, errno, "cannot read the stream: %s", strerror(errno));
	if (rc == 0)
		return fail(r, EPIPE, "truncated stream: it ends at byte %llu, before record %u",
		            (unsigned long long)r->offset, r->index + 1);
	if (h->length > MIG_REC_MAX || h->reserved != 0)
		return fail(r, EBADMSG, "corrupt stream: record %u at byte %llu has a bad header",
		            r->index + 1, (unsigned long long)at);
	total = h->length + PAD(h->length);
	if (total > r->cap) {
		uint8_t *nb = realloc(r->body, total);

		if (!nb)
			return fail(r, ENOMEM, "out of memory reading record %u", r->index + 1);
		r->body = nb;
		r->cap = total;
	}
	rc = read_all(r, r->body, total);
	if (rc < 0)
		return fail(r, errno, "cannot read the stream: %s", strerror(errno));
	if (rc == 0)
		return fail(r, EPIPE, "truncated stream: record %u (%s) at byte %llu is cut short",
		            r->index + 1, mig_rec_name(h->type), (unsigned long long)at);
	memset(pad, 0, sizeof(pad));
	iov = (struct iovec){r->body, h->length};
	if (rec_crc(h->type, h->length, &iov, 1) != h->crc ||
	    (total > h->length && memcmp(r->body + h->length, pad, total - h->length) != 0))
		return fail(r, EBADMSG,
		            "corrupt stream: record %u (%s) at byte %llu fails its checksum",
		            r->index + 1, mig_rec_name(h->type), (unsigned long long)at);
	r->index++;
	return 0;
}

int mig_expect_record(struct mig_reader *r, uint32_t type, struct mig_rec_hdr *h)
{
	uint64_t at = r->offset;

	if (mig_read_record(r, h) < 0)
		return -1;
	if (h->type != type)
		return fail(r, EBADMSG, "corrupt stream: record %u at byte %llu is %s, %s expected",
		            r->index, (unsigned long long)at, mig_rec_name(h->type),
		            mig_rec_name(type));
	return 0;
}
