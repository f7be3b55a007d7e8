/*
 * shoji/xs.h - libshoji-xs: a client library for the xenstore protocol,
 * talking to shoji-xenstored (or any xenstored) over its Unix socket.
 *
 * Every function returns -1 / NULL with errno set on failure; an error
 * reply from the daemon ("ENOENT", ...) becomes that errno.  Returned
 * buffers are malloc'd and freed by the caller with free().  A handle is
 * not thread-safe: use one per thread.
 *
 * Watch events that arrive while a call waits for its reply are queued;
 * shoji_xs_fileno() is readable whenever an event is queued or waiting on
 * the socket, and shoji_xs_read_watch() returns the next one.
 */
#ifndef SHOJI_XS_H
#define SHOJI_XS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Socket used when neither a path nor SHOJI_XENSTORED_PATH is given. */
#define SHOJI_XS_DEFAULT_SOCKET "/run/shoji/xenstored.sock"

typedef uint32_t shoji_xs_tx_t;
#define SHOJI_XS_NO_TX ((shoji_xs_tx_t)0)

/* Permission bits of struct shoji_xs_perm.perms. */
#define SHOJI_XS_PERM_NONE  0u
#define SHOJI_XS_PERM_READ  1u
#define SHOJI_XS_PERM_WRITE 2u
#define SHOJI_XS_PERM_BOTH  3u

struct shoji_xs_perm {
	uint32_t domid;
	uint32_t perms; /* SHOJI_XS_PERM_* */
};

/* Indexes into the vector shoji_xs_read_watch() returns. */
#define SHOJI_XS_WATCH_PATH  0
#define SHOJI_XS_WATCH_TOKEN 1

struct shoji_xs;

/* Connect to path, or $SHOJI_XENSTORED_PATH, or SHOJI_XS_DEFAULT_SOCKET. */
struct shoji_xs *shoji_xs_open(const char *path);
void shoji_xs_close(struct shoji_xs *h);

/* Value of path (NUL-terminated for convenience; *len excludes it). */
void *shoji_xs_read(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, unsigned int *len);
int shoji_xs_write(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, const void *data,
                   unsigned int len);
/* Children of path: one malloc'd block holding the vector and the names. */
char **shoji_xs_directory(struct shoji_xs *h, shoji_xs_tx_t t, const char *path, unsigned int *num);
int shoji_xs_mkdir(struct shoji_xs *h, shoji_xs_tx_t t, const char *path);
int shoji_xs_rm(struct shoji_xs *h, shoji_xs_tx_t t, const char *path);
struct shoji_xs_perm *shoji_xs_get_perms(struct shoji_xs *h, shoji_xs_tx_t t, const char *path,
                                         unsigned int *num);
int shoji_xs_set_perms(struct shoji_xs *h, shoji_xs_tx_t t, const char *path,
                       const struct shoji_xs_perm *perms, unsigned int num);

int shoji_xs_watch(struct shoji_xs *h, const char *path, const char *token);
int shoji_xs_unwatch(struct shoji_xs *h, const char *path, const char *token);
/* A file descriptor to poll for readability: a watch event is ready. */
int shoji_xs_fileno(struct shoji_xs *h);
/* Next watch event (blocks): vector [SHOJI_XS_WATCH_PATH], [SHOJI_XS_WATCH_TOKEN]. */
char **shoji_xs_read_watch(struct shoji_xs *h, unsigned int *num);
/* Like shoji_xs_read_watch but never blocks: NULL with errno EAGAIN when none. */
char **shoji_xs_check_watch(struct shoji_xs *h);

/* Start a transaction: its id, or SHOJI_XS_NO_TX with errno on failure. */
shoji_xs_tx_t shoji_xs_transaction_start(struct shoji_xs *h);
/* Commit (abort false) or abort it; a conflicting commit fails with EAGAIN. */
int shoji_xs_transaction_end(struct shoji_xs *h, shoji_xs_tx_t t, bool abort);

int shoji_xs_introduce(struct shoji_xs *h, uint32_t domid, uint64_t mfn, uint32_t port);
int shoji_xs_release(struct shoji_xs *h, uint32_t domid);
char *shoji_xs_get_domain_path(struct shoji_xs *h, uint32_t domid);
/* 1 introduced, 0 not, -1 error. */
int shoji_xs_is_domain_introduced(struct shoji_xs *h, uint32_t domid);

/* Send any request (type from enum xsd_sockmsg_type) and return the reply payload. */
void *shoji_xs_request(struct shoji_xs *h, uint32_t type, shoji_xs_tx_t t, const void *payload,
                       unsigned int len, unsigned int *reply_len);

#ifdef __cplusplus
}
#endif

#endif /* SHOJI_XS_H */
