/*
 * safedir: a daemon's private directory (its state, its journal), checked
 * before any file in it is trusted, and the lock that keeps a second
 * instance of the daemon out of it.
 */
#ifndef SHOJI_UTIL_SAFEDIR_H
#define SHOJI_UTIL_SAFEDIR_H

#include <stddef.h>

/*
 * Open path as a directory that only this process's user can change: not a
 * symbolic link itself, owned by the effective uid and writable neither by
 * group nor by others, so that nobody else can plant a link or a file in
 * it.  Returns a descriptor (O_DIRECTORY, close-on-exec) to open its files
 * with *at(), or -1 with errno (EPERM: the owner or mode is wrong) and a
 * reason for a log line in why (whylen bytes).
 */
int safedir_open(const char *path, char *why, size_t whylen);

/*
 * Take this process's exclusive lock on the file name in dirfd (created
 * with mode 0600, never through a symbolic link).  Returns the lock's
 * descriptor, to keep open for as long as the lock is wanted (it goes with
 * the process), or -1 with errno: EWOULDBLOCK when another process holds
 * the lock.
 */
int safedir_lock(int dirfd, const char *name);

#endif
