/* usock: a daemon's listening Unix socket (see usock.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "usock.h"

/* Does a process accept on the socket at sa?  Only a refused connection says no. */
static bool in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return true;
	used = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
	       (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return used;
}

int usock_listen(const char *path, mode_t mode, int backlog, struct usock_id *id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX}, tmp = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc, err;

	if (strlen(path) + sizeof(USOCK_TMP_SUFFIX) > sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s" USOCK_TMP_SUFFIX, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		if (in_use(&sa)) {
			errno = EADDRINUSE;
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/*
	 * Bound under a temporary name (with its final mode: no chmod after
	 * bind, when anyone could connect), listening, then renamed into place:
	 * a client that finds the path can connect at once.
	 */
	if (unlink(tmp.sun_path) != 0 && errno != ENOENT)
		goto fail;
	old = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old);
	if (rc != 0)
		goto fail;
	if (listen(fd, backlog) != 0 || lstat(tmp.sun_path, &st) != 0 ||
	    rename(tmp.sun_path, path) != 0) {
		err = errno;
		unlink(tmp.sun_path);
		errno = err;
		goto fail;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

void usock_unlink(const char *path, const struct usock_id *id)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == id->dev &&
	    st.st_ino == id->ino)
		unlink(path);
}

int usock_peer(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return -1;
	*uid = cr.uid;
	if (pid)
		*pid = cr.pid;
	return 0;
}
