/*
 * libFuzzer target: the xenstore message stream.  The input is split into
 * framed messages exactly as conn_input() does for a socket client, and
 * each message goes through the real dispatcher, alternately as dom0 and as
 * unprivileged domain 5, so parsing, paths, permissions, transactions,
 * watches and quotas all see hostile input.  The daemon's invariants are
 * then checked (no message above the payload limit, accounting consistent).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *p;
	size_t left;
};

static ssize_t feed_read(struct xs_conn *c, void *buf, size_t len)
{
	struct feed *f = c->tp;
	size_t n = f->left < len ? f->left : len;

	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (ssize_t)n; /* 0 at the end: EOF */
}

static ssize_t sink_write(struct xs_conn *c, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static const struct xs_transport_ops fuzz_ops = {
    .name = "fuzz", .read = feed_read, .write = sink_write};

/* Every queued message is well formed and within the payload limit. */
static void check_output(struct xs_conn *c)
{
	size_t off = c->outoff;

	while (off < c->outlen) {
		struct xsd_sockmsg h;

		if (c->outlen - off < sizeof(h))
			abort();
		memcpy(&h, c->out + off, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX || c->outlen - off - sizeof(h) < h.len)
			abort();
		off += sizeof(h) + h.len;
	}
	c->outoff = c->outlen = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xsd d;
	struct feed f0 = {data, size / 2}, f5 = {data + size / 2, size - size / 2};
	struct xs_conn *c0, *c5;
	char report[256];
	int round;

	if (xsd_init(&d) != 0 || store_init_root(&d) != 0)
		abort();
	d.quota.v[QUOTA_NODES] = 50;
	d.out_limit = 256 * 1024;
	domain_introduce(&d, 5, 1, 1);
	tree_set(&d, "/local", 6, NULL, 0, NULL, 0, true, false);
	tree_set(&d, "/local/domain", 13, NULL, 0, NULL, 0, true, false);
	{
		struct xs_perm p = {5, XS_PERM_NONE};

		tree_set(&d, "/local/domain/5", 15, NULL, 0, &p, 1, true, false);
	}
	c0 = conn_new(&d, &fuzz_ops, &f0, -1, 0, true);
	c5 = conn_new(&d, &fuzz_ops, &f5, -1, 5, false);
	if (!c0 || !c5)
		abort();
	c5->is_domain = true;
	for (round = 0; round < 64 && (c0 || c5); round++) {
		if (c0 && conn_input(c0) < 0) {
			conn_free(c0);
			c0 = NULL;
		}
		if (c5 && conn_input(c5) < 0) {
			conn_free(c5);
			c5 = NULL;
		}
		if (c0)
			check_output(c0);
		if (c5)
			check_output(c5);
	}
	if (domain_check(&d, report, sizeof(report)) != 0) {
		fprintf(stderr, "inconsistent accounting: %s\n", report);
		abort();
	}
	xsd_fini(&d);
	return 0;
}
