/* pidfile: a daemon's own pid file (see pidfile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pidfile.h"

int pidfile_write(const char *path)
{
	char *tmp = NULL;
	int fd = -1, rc = -1, err;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -1;
	/* A fresh file, never one a link points at (issue 15 #11). */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	if (dprintf(fd, "%ld\n", (long)getpid()) < 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc == 0)
		rc = rename(tmp, path);
out:
	err = errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	errno = err;
	return rc;
}
