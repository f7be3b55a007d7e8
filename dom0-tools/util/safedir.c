/* safedir: a daemon's private directory and its lock (see safedir.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safedir.h"

int safedir_open(const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = errno;
		snprintf(why, whylen, "%s",
		         err == ELOOP ? "a symbolic link, not a directory" : strerror(err));
		errno = err;
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		err = errno;
		snprintf(why, whylen, "%s", strerror(err));
	} else if (st.st_uid != geteuid()) {
		err = EPERM;
		snprintf(why, whylen, "owned by uid %u, not by this process's uid %u",
		         (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err = EPERM;
		snprintf(why, whylen, "writable by %s (mode %04o)",
		         (st.st_mode & S_IWOTH) ? "others" : "its group",
		         (unsigned)(st.st_mode & 07777));
	} else {
		return fd;
	}
	close(fd);
	errno = err;
	return -1;
}

int safedir_lock(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
