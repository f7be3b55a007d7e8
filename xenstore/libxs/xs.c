/*
 * libshoji-xs: the xenstore client library (see include/shoji/xs.h).
 * One request is in flight at a time, like libxenstore; watch events that
 * arrive meanwhile are queued and signalled through an eventfd, which sits
 * with the socket in the epoll set returned by shoji_xs_fileno().
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/io/xs_wire.h>
#include <shoji/xs.h>

struct xs_event {
	struct xs_event *next;
	uint32_t len;
	char data[]; /* "path\0token\0" */
};

struct shoji_xs {
	int fd;
	int epfd;
	int evfd;
	uint32_t req_id;
	struct xs_event *head, **tail;
	struct xsd_sockmsg hdr;             /* last message read */
	char buf[XENSTORE_PAYLOAD_MAX + 1]; /* its payload, NUL-terminated */
};

static const struct {
	int err;
	const char *name;
} errnames[] = {
#define XS_ERRNAME(name) {name, #name},
    XSD_ERROR_LIST(XS_ERRNAME)
#undef XS_ERRNAME
};

static int errno_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (strcmp(errnames[i].name, name) == 0)
			return errnames[i].err;
	return EIO;
}

struct shoji_xs *shoji_xs_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	struct shoji_xs *h;
	int saved;

	if (!path)
		path = getenv("SHOJI_XENSTORED_PATH");
	if (!path || !*path)
		path = SHOJI_XS_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->epfd = h->evfd = -1;
	h->tail = &h->head;
	h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	h->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->evfd < 0 || h->epfd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->fd, &ev) != 0 ||
	    epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->evfd, &ev) != 0)
		goto fail;
	return h;
fail:
	saved = errno;
	shoji_xs_close(h);
	errno = saved;
	return NULL;
}

void shoji_xs_close(struct shoji_xs *h)
{
	if (!h)
		return;
	while (h->head) {
		struct xs_event *e = h->head;

		h->head = e->next;
		free(e);
	}
	if (h->fd >= 0)
		close(h->fd);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->evfd >= 0)
		close(h->evfd);
	free(h);
}

static int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Read one message into h->hdr / h->buf. */
static int read_msg(struct shoji_xs *h)
{
	if (read_exact(h->fd, &h->hdr, sizeof(h->hdr)) != 0)
		return -1;
	if (h->hdr.len > XENSTORE_PAYLOAD_MAX) {
		errno = EBADMSG;
		return -1;
	}
	if (read_exact(h->fd, h->buf, h->hdr.len) != 0)
		return -1;
	h->buf[h->hdr.len] = '\0';
	return 0;
}

/* Queue the watch event in h->buf. */
static int queue_event(struct shoji_xs *h)
{
	struct xs_event *e = malloc(sizeof(*e) + h->hdr.len + 1);
	uint64_t one = 1;

	if (!e)
		return -1;
	memcpy(e->data, h->buf, h->hdr.len + 1);
	e->len = h->hdr.len;
	e->next = NULL;
	*h->tail = e;
	h->tail = &e->next;
	if (write(h->evfd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
		return -1;
	return 0;
}

void *shoji_xs_request(struct shoji_xs *h, uint32_t type, shoji_xs_tx_t t, const void *payload,
                       unsigned int len, unsigned int *reply_len)
{
	struct xsd_sockmsg m = {type, ++h->req_id, t, len};
	struct iovec iov[2] = {{&m, sizeof(m)}, {(void *)payload, len}};
	size_t left = sizeof(m) + len;
	char *out;

	if (len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return NULL;
	}
	while (left) {
		ssize_t w = writev(h->fd, iov, 2);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		left -= (size_t)w;
		while (w > 0) {
			size_t take = (size_t)w < iov[0].iov_len ? (size_t)w : iov[0].iov_len;

			iov[0].iov_base = (char *)iov[0].iov_base + take;
			iov[0].iov_len -= take;
			w -= (ssize_t)take;
			if (iov[0].iov_len == 0) {
				iov[0] = iov[1];
				iov[1].iov_len = 0;
			}
		}
	}
	for (;;) {
		if (read_msg(h) != 0)
			return NULL;
		if (h->hdr.type == XS_WATCH_EVENT) {
			if (queue_event(h) != 0)
				return NULL;
			continue;
		}
		if (h->hdr.req_id == m.req_id)
			break;
	}
	if (h->hdr.type == XS_ERROR) {
		errno = errno_of(h->buf);
		return NULL;
	}
	if (h->hdr.type != type) {
		errno = EBADMSG;
		return NULL;
	}
	out = malloc(h->hdr.len + 1);
	if (!out)
		return NULL;
	memcpy(out, h->buf, h->hdr.len + 1);
	if (reply_len)
		*reply_len = h->hdr.len;
	return out;
}

/* A request whose reply is only checked. */
static int simple(struct shoji_xs *h, uint32_t type, shoji_xs_tx_t t, const void *p,
                  unsigned int len)
{
	void *r = shoji_xs_request(h, type, t, p, len, NULL);

	if (!r)
		return -1;
	free(r);
	return 0;
}

/* Copy path with its NUL into buf (a request argument). */
static int path_arg(const char *path, char *buf, unsigned int *len)
{
	size_t l = strlen(path);

	if (l + 1 > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf, path, l + 1);
	*len = (unsigned int)l + 1;
	return 0;
}

void *shoji_xs_read(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, unsigned int *len)
{
	return shoji_xs_request(h, XS_READ, t, path, (unsigned int)strlen(path) + 1, len);
}

int shoji_xs_write(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, const void *data,
                   unsigned int len)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	unsigned int plen;

	if (path_arg(path, buf, &plen) != 0)
		return -1;
	if (len > XENSTORE_PAYLOAD_MAX - plen) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf + plen, data, len);
	return simple(h, XS_WRITE, t, buf, plen + len);
}

int shoji_xs_mkdir(struct shoji_xs *h, shoji_xs_tx_t t, const char *path)
{
	return simple(h, XS_MKDIR, t, path, (unsigned int)strlen(path) + 1);
}

int shoji_xs_rm(struct shoji_xs *h, shoji_xs_tx_t t, const char *path)
{
	return simple(h, XS_RM, t, path, (unsigned int)strlen(path) + 1);
}

/* Turn n NUL-terminated strings at s (len bytes) into one malloc'd vector block. */
static char **vector(const char *s, unsigned int len, unsigned int *num)
{
	unsigned int n = 0, i, pos;
	char **v, *copy;

	for (i = 0; i < len; i++)
		n += s[i] == '\0';
	v = malloc((n + 1) * sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	copy = (char *)(v + n + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	for (i = 0, pos = 0; i < n; i++) {
		v[i] = copy + pos;
		pos += (unsigned int)strlen(copy + pos) + 1;
	}
	v[n] = NULL;
	if (num)
		*num = n;
	return v;
}

/* DIRECTORY for lists too big for one message: DIRECTORY_PART until complete. */
static char **directory_parts(struct shoji_xs *h, shoji_xs_tx_t t, const char *path,
                              unsigned int *num)
{
	char *all = NULL, **v = NULL;
	size_t alen = 0;
	char gen[32] = "";

	for (;;) {
		char req[XENSTORE_PAYLOAD_MAX];
		unsigned int rlen, glen;
		int n = snprintf(req, sizeof(req), "%s%c%zu", path, '\0', alen);
		char *r, *na;

		if (n < 0 || (size_t)n + 1 > sizeof(req)) {
			errno = E2BIG;
			goto out;
		}
		r = shoji_xs_request(h, XS_DIRECTORY_PART, t, req, (unsigned int)n + 1, &rlen);
		if (!r)
			goto out;
		glen = (unsigned int)strnlen(r, rlen);
		if (glen == rlen || glen >= sizeof(gen)) {
			free(r);
			errno = EBADMSG;
			goto out;
		}
		if (gen[0] && strcmp(gen, r) != 0) { /* changed meanwhile: start again */
			alen = 0;
			gen[0] = '\0';
			free(r);
			continue;
		}
		memcpy(gen, r, glen + 1);
		na = realloc(all, alen + rlen);
		if (!na) {
			free(r);
			goto out;
		}
		all = na;
		memcpy(all + alen, r + glen + 1, rlen - glen - 1);
		alen += rlen - glen - 1;
		free(r);
		/* complete when the chunk ends with an extra NUL */
		if (alen && all[alen - 1] == '\0' && (alen == 1 || all[alen - 2] == '\0')) {
			v = vector(all, (unsigned int)alen - 1, num);
			goto out;
		}
		if (rlen - glen - 1 == 0) {
			errno = EBADMSG;
			goto out;
		}
	}
out:
	free(all);
	return v;
}

char **shoji_xs_directory(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, unsigned int *num)
{
	unsigned int len;
	char *r = shoji_xs_request(h, XS_DIRECTORY, t, path, (unsigned int)strlen(path) + 1, &len);
	char **v;

	if (!r)
		return errno == E2BIG ? directory_parts(h, t, path, num) : NULL;
	v = vector(r, len, num);
	free(r);
	return v;
}

struct shoji_xs_perm *shoji_xs_get_perms(struct shoji_xs *h, shoji_xs_tx_t t, const char *path,
                                         unsigned int *num)
{
	unsigned int len, n = 0, pos = 0;
	char *r = shoji_xs_request(h, XS_GET_PERMS, t, path, (unsigned int)strlen(path) + 1, &len);
	struct shoji_xs_perm *p = NULL;

	if (!r)
		return NULL;
	p = malloc((len / 2 + 1) * sizeof(*p));
	if (!p)
		goto out;
	while (pos < len) {
		const char *e = r + pos;
		static const char letters[] = "nrwb";
		const char *l = e[0] ? strchr(letters, e[0]) : NULL;

		if (!l) {
			free(p);
			p = NULL;
			errno = EBADMSG;
			goto out;
		}
		p[n].perms = (uint32_t)(l - letters);
		p[n].domid = (uint32_t)strtoul(e + 1, NULL, 10);
		n++;
		pos += (unsigned int)strlen(e) + 1;
	}
	*num = n;
out:
	free(r);
	return p;
}

int shoji_xs_set_perms(struct shoji_xs *h, shoji_xs_tx_t t, const char *path,
                       const struct shoji_xs_perm *perms, unsigned int num)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	unsigned int len, i;

	if (path_arg(path, buf, &len) != 0)
		return -1;
	for (i = 0; i < num; i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%c%u", "nrwb"[perms[i].perms & 3],
		                 perms[i].domid);

		if (n < 0 || len + (unsigned int)n + 1 > sizeof(buf)) {
			errno = E2BIG;
			return -1;
		}
		len += (unsigned int)n + 1;
	}
	return simple(h, XS_SET_PERMS, t, buf, len);
}

static int two_args(const char *a, const char *b, char *buf, unsigned int *len)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb + 2 > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf, a, la + 1);
	memcpy(buf + la + 1, b, lb + 1);
	*len = (unsigned int)(la + lb + 2);
	return 0;
}

int shoji_xs_watch(struct shoji_xs *h, const char *path, const char *token)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	unsigned int len;

	if (two_args(path, token, buf, &len) != 0)
		return -1;
	return simple(h, XS_WATCH, SHOJI_XS_NO_TX, buf, len);
}

int shoji_xs_unwatch(struct shoji_xs *h, const char *path, const char *token)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	unsigned int len;

	if (two_args(path, token, buf, &len) != 0)
		return -1;
	return simple(h, XS_UNWATCH, SHOJI_XS_NO_TX, buf, len);
}

int shoji_xs_fileno(struct shoji_xs *h)
{
	return h->epfd;
}

/* Pop the oldest queued event as a vector. */
static char **pop_event(struct shoji_xs *h, unsigned int *num)
{
	struct xs_event *e = h->head;
	char **v;
	uint64_t cnt;

	v = vector(e->data, e->len, num);
	if (!v)
		return NULL;
	h->head = e->next;
	if (!h->head) {
		h->tail = &h->head;
		if (read(h->evfd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			cnt = 0;
	}
	free(e);
	return v;
}

char **shoji_xs_read_watch(struct shoji_xs *h, unsigned int *num)
{
	while (!h->head) {
		if (read_msg(h) != 0)
			return NULL;
		if (h->hdr.type == XS_WATCH_EVENT && queue_event(h) != 0)
			return NULL;
	}
	return pop_event(h, num);
}

char **shoji_xs_check_watch(struct shoji_xs *h)
{
	while (!h->head) {
		struct pollfd pfd = {.fd = h->fd, .events = POLLIN};

		if (poll(&pfd, 1, 0) <= 0) {
			errno = EAGAIN;
			return NULL;
		}
		if (read_msg(h) != 0)
			return NULL;
		if (h->hdr.type == XS_WATCH_EVENT && queue_event(h) != 0)
			return NULL;
	}
	return pop_event(h, NULL);
}

shoji_xs_tx_t shoji_xs_transaction_start(struct shoji_xs *h)
{
	char *r = shoji_xs_request(h, XS_TRANSACTION_START, SHOJI_XS_NO_TX, "", 1, NULL);
	unsigned long id;

	if (!r)
		return SHOJI_XS_NO_TX;
	id = strtoul(r, NULL, 10);
	free(r);
	if (id == 0 || id > UINT32_MAX) {
		errno = EBADMSG;
		return SHOJI_XS_NO_TX;
	}
	return (shoji_xs_tx_t)id;
}

int shoji_xs_transaction_end(struct shoji_xs *h, shoji_xs_tx_t t, bool abort)
{
	return simple(h, XS_TRANSACTION_END, t, abort ? "F" : "T", 2);
}

int shoji_xs_introduce(struct shoji_xs *h, uint32_t domid, uint64_t mfn, uint32_t port)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%u%c%" PRIu64 "%c%u", domid, '\0', mfn, '\0', port);

	return simple(h, XS_INTRODUCE, SHOJI_XS_NO_TX, buf, (unsigned int)n + 1);
}

int shoji_xs_release(struct shoji_xs *h, uint32_t domid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", domid);

	return simple(h, XS_RELEASE, SHOJI_XS_NO_TX, buf, (unsigned int)n + 1);
}

char *shoji_xs_get_domain_path(struct shoji_xs *h, uint32_t domid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", domid);

	return shoji_xs_request(h, XS_GET_DOMAIN_PATH, SHOJI_XS_NO_TX, buf, (unsigned int)n + 1,
	                        NULL);
}

int shoji_xs_is_domain_introduced(struct shoji_xs *h, uint32_t domid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", domid);
	char *r = shoji_xs_request(h, XS_IS_DOMAIN_INTRODUCED, SHOJI_XS_NO_TX, buf,
	                           (unsigned int)n + 1, NULL);
	int ret;

	if (!r)
		return -1;
	ret = r[0] == 'T';
	free(r);
	return ret;
}
