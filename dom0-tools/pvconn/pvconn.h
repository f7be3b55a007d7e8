/*
 * pvconn: the control-socket connection under libshoji-evtchn and
 * libshoji-gnttab (private).  One request at a time; replies may carry a
 * descriptor (SCM_RIGHTS).
 */
#ifndef SHOJI_DOM0_PVCONN_H
#define SHOJI_DOM0_PVCONN_H

#include <stddef.h>
#include <stdint.h>

struct pvconn {
	int fd;
	uint32_t seq;
};

/* Connect to shoji-hv at @path (NULL: the default socket).  0 or -1 + errno. */
int pvconn_open(struct pvconn *c, const char *path);
void pvconn_close(struct pvconn *c);

/*
 * Send request @type with @req (@len bytes) and wait for its reply, whose
 * body (exactly @len bytes on success) overwrites @req.  A descriptor that
 * came with it goes to *fd (-1 if none; @fd may be NULL: then it is closed).
 * Returns 0 or -1 with errno (the server's status when it refused).
 */
int pvconn_call(struct pvconn *c, uint16_t type, void *req, size_t len, int *fd);
/* Send a request (the reply, if its type has one, comes with pvconn_recv).  0 or -1 + errno. */
int pvconn_send(struct pvconn *c, uint16_t type, const void *req, size_t len);
/*
 * Receive the reply to request @seq of @type: its body (exactly @len bytes
 * on success) into @body, a descriptor as pvconn_call passes it.  0 or -1
 * with errno (the server's status when it refused; EPROTO out of step).
 */
int pvconn_recv(struct pvconn *c, uint16_t type, uint32_t seq, void *body, size_t len, int *fd);

#endif
