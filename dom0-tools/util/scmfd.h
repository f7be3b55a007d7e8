/*
 * scmfd: messages that carry open descriptors over a Unix socket
 * (SCM_RIGHTS), for the requests whose files a client opens with its own
 * rights (shoji-hv's control socket, shojid's API).
 */
#ifndef SHOJI_UTIL_SCMFD_H
#define SHOJI_UTIL_SCMFD_H

#include <sys/types.h>

#define SCMFD_MAX 4 /* descriptors one message may carry */

/*
 * sendmsg() @len bytes of @buf with @nfds (at most SCMFD_MAX) descriptors
 * @fds, which go with the first byte.  Returns the bytes sent or -1 with errno.
 */
ssize_t scmfd_send(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds);
/*
 * recvmsg() up to @len bytes into @buf (@flags as recvmsg's; descriptors
 * come close-on-exec).  The descriptors that came are appended to @fds,
 * whose *@nfds entries are in use, up to @max; any beyond are closed, and so
 * are all of this message's when the kernel had to cut them short.
 */
ssize_t scmfd_recv(int sock, void *buf, size_t len, int flags, int *fds, unsigned int max,
                   unsigned int *nfds);

#endif
