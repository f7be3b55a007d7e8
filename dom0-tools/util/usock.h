/*
 * usock: a daemon's listening Unix socket.  It is created with its final
 * mode (no moment in which the umask decides who may connect), appears at
 * its path only once it listens (a client that sees it can connect),
 * replaces only a stale socket file, is removed at exit only while it is
 * still the daemon's own, and tells who is at the other end of a connection.
 */
#ifndef SHOJI_UTIL_USOCK_H
#define SHOJI_UTIL_USOCK_H

#include <sys/types.h>

/* Which socket file a daemon bound: the one to remove at exit, and no other. */
struct usock_id {
	dev_t dev;
	ino_t ino;
};

/* The temporary name (path + this) a socket is bound and listens under before it is renamed. */
#define USOCK_TMP_SUFFIX ".new"

/*
 * Listen on path (backlog connections queued), the socket file created
 * with mode; path + USOCK_TMP_SUFFIX must fit a socket address too.  A socket file already at path is replaced when nothing
 * accepts on it any more; EADDRINUSE when a process still does (or it
 * cannot be told), EEXIST when path is something else than a socket.
 * Returns a non-blocking, close-on-exec descriptor and fills id, or -1
 * with errno.
 */
int usock_listen(const char *path, mode_t mode, int backlog, struct usock_id *id);

/* Remove path if it is still the socket file id names (another daemon may have replaced it). */
void usock_unlink(const char *path, const struct usock_id *id);

/* The user (and process, when pid is not NULL) at the other end of socket fd; -1 with errno. */
int usock_peer(int fd, uid_t *uid, pid_t *pid);

#endif
