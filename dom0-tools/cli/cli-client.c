/*
 * The CLI side of the shojid socket (api-proto.h): connect, send one
 * request, read its reply.  Failures are printed here as one line and
 * turned into the exit codes of shoji(1).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "scmfd.h"

#define CLI_REPLY_TIMEOUT_S 120 /* beyond a --wait timeout */

const char *cli_socket_path(void)
{
	const char *env = getenv("SHOJID_SOCKET");

	return env && *env ? env : SHOJID_DEFAULT_SOCKET;
}

static int io_full(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* shojid runs, but this user may not connect: say who may (the socket is 0660, root and
 * shojid's --group). */
static void access_denied(const char *path)
{
	struct stat st;
	struct group *g = stat(path, &st) == 0 && st.st_gid != 0 ? getgrgid(st.st_gid) : NULL;

	if (g)
		fprintf(stderr,
		        "shoji: may not connect to shojid at %s: only root and members of group "
		        "'%s' (shojid --group) may\n",
		        path, g->gr_name);
	else
		fprintf(stderr,
		        "shoji: may not connect to shojid at %s: only root may (shojid runs "
		        "without --group GROUP, which would let that group's members in)\n",
		        path);
}

int cli_connect(int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = cli_socket_path();
	int s = -1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	*fd = s;
	return CLI_EXIT_OK;
fail:
	if (errno == EACCES || errno == EPERM)
		access_denied(path);
	else
		fprintf(stderr, "shoji: cannot reach shojid at %s: %s (is shojid running?)\n", path,
		        strerror(errno));
	if (s >= 0)
		close(s);
	return CLI_EXIT_NO_DAEMON;
}

/* Send @h with @nfds descriptors @fds (SCM_RIGHTS): shojid takes them as the request's. */
static int send_hdr(int fd, const struct api_hdr *h, const int *fds, unsigned int nfds)
{
	ssize_t n;

	if (!nfds)
		return io_full(fd, (void *)h, sizeof(*h), true);
	n = nfds <= API_MAX_FDS ? scmfd_send(fd, h, sizeof(*h), fds, nfds) : -1;
	if (n < 0)
		return -1;
	/* The descriptors went with the first byte; the rest of a short send goes plain. */
	return io_full(fd, (char *)h + n, sizeof(*h) - (size_t)n, true);
}

int cli_send_fds(int fd, uint16_t type, const struct api_req *req, const char *text, const int *fds,
                 unsigned int nfds)
{
	struct api_hdr h = {.magic = API_MAGIC,
	                    .version = API_VERSION,
	                    .type = type,
	                    .len = (uint32_t)(sizeof(*req) + req->text_len)};

	if (send_hdr(fd, &h, fds, nfds) < 0 || io_full(fd, (void *)req, sizeof(*req), true) < 0 ||
	    (req->text_len && io_full(fd, (void *)text, req->text_len, true) < 0)) {
		fprintf(stderr, "shoji: lost the connection to shojid: %s\n", strerror(errno));
		return CLI_EXIT_NO_DAEMON;
	}
	return CLI_EXIT_OK;
}

int cli_send(int fd, uint16_t type, const struct api_req *req, const char *text)
{
	return cli_send_fds(fd, type, req, text, NULL, 0);
}

int cli_recv(int fd, struct api_hdr *h, char **payload)
{
	*payload = NULL;
	if (io_full(fd, h, sizeof(*h), false) < 0)
		goto lost;
	if (h->magic != API_MAGIC || h->version != API_VERSION || h->len > API_MSG_MAX) {
		fprintf(stderr, "shoji: shojid speaks another protocol version\n");
		return CLI_EXIT_FAILED;
	}
	*payload = malloc((size_t)h->len + 1);
	if (!*payload) {
		fprintf(stderr, "shoji: out of memory\n");
		return CLI_EXIT_FAILED;
	}
	if (io_full(fd, *payload, h->len, false) < 0)
		goto lost;
	(*payload)[h->len] = '\0';
	return CLI_EXIT_OK;
lost:
	fprintf(stderr, "shoji: lost the connection to shojid: %s\n", strerror(errno));
	free(*payload);
	*payload = NULL;
	return CLI_EXIT_NO_DAEMON;
}

int cli_status_exit(int status)
{
	switch (status) {
	case 0:
		return CLI_EXIT_OK;
	case ENOENT:
		return CLI_EXIT_NO_DOMAIN;
	case ETIMEDOUT:
		return CLI_EXIT_TIMEOUT;
	default:
		return CLI_EXIT_FAILED;
	}
}

int cli_request(uint16_t type, const struct api_req *req, const char *text, const char *what,
                char **reply, size_t *len)
{
	return cli_request_fds(type, req, text, NULL, 0, what, reply, len);
}

int cli_request_fds(uint16_t type, const struct api_req *req, const char *text, const int *fds,
                    unsigned int nfds, const char *what, char **reply, size_t *len)
{
	struct timeval tv = {0};
	struct api_hdr h;
	char *payload = NULL;
	int fd = -1, rc;

	*reply = NULL;
	rc = cli_connect(&fd);
	if (rc)
		return rc;
	/* Bounded: a daemon that stops answering is an error, not a hang. */
	tv.tv_sec = CLI_REPLY_TIMEOUT_S +
	            ((req->flags & API_F_WAIT) ? (req->value ? (time_t)req->value : 60) : 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rc = cli_send_fds(fd, type, req, text, fds, nfds);
	if (!rc)
		rc = cli_recv(fd, &h, &payload);
	close(fd);
	if (rc)
		return rc;
	if (h.status) {
		fprintf(stderr, "shoji: %s%s%s\n", what ? what : "", what ? ": " : "",
		        h.len ? payload : strerror(h.status));
		free(payload);
		return cli_status_exit(h.status);
	}
	*reply = payload;
	if (len)
		*len = h.len;
	return CLI_EXIT_OK;
}
