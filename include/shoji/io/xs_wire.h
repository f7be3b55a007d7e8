/*
 * shoji/io/xs_wire.h - the xenstore wire protocol: message types, the
 * message header, error names, limits, and the shared ring page through
 * which a domain talks to xenstored.
 *
 * Every message is a struct xsd_sockmsg followed by len payload bytes, on
 * a Unix socket (in host byte order) or through the two rings of a
 * struct xenstore_domain_interface (little-endian on x86).
 */
#ifndef SHOJI_IO_XS_WIRE_H
#define SHOJI_IO_XS_WIRE_H

#include <shoji/errno.h>

/* Largest payload of one message, and path lengths (excluding the NUL). */
#define XENSTORE_PAYLOAD_MAX  4096
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* Bytes in each ring of struct xenstore_domain_interface (a power of 2). */
#define XENSTORE_RING_SIZE     1024
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

/* xenstore_domain_interface.server_features */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* the connection field works */
#define XENSTORE_SERVER_FEATURE_ERROR        2 /* the error field works */

/* xenstore_domain_interface.connection */
#define XENSTORE_CONNECTED 0 /* the ring is in use */
#define XENSTORE_RECONNECT                                                                         \
	1 /* the guest asks for a reset; the server
				resets the ring and writes XENSTORE_CONNECTED */

/* xenstore_domain_interface.error: why the server stopped using the ring. */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2 /* invalid ring index */
#define XENSTORE_ERROR_PROTO   3 /* protocol violation (e.g. oversized message) */

/*
 * The error names an XS_ERROR reply carries (payload "ENOENT\0" etc.), in
 * the protocol's order.  Expand with a macro X(name); XEN_##name is the
 * number.  XSD_ERRORS_INITIALIZER builds a struct xsd_errors[] initializer:
 *   static const struct xsd_errors errs[] = XSD_ERRORS_INITIALIZER;
 */
#define XSD_ERROR_LIST(X)                                                                          \
	X(EINVAL)                                                                                  \
	X(EACCES)                                                                                  \
	X(EEXIST)                                                                                  \
	X(EISDIR)                                                                                  \
	X(ENOENT)                                                                                  \
	X(ENOMEM)                                                                                  \
	X(ENOSPC)                                                                                  \
	X(EIO)                                                                                     \
	X(ENOTEMPTY)                                                                               \
	X(ENOSYS)                                                                                  \
	X(EROFS)                                                                                   \
	X(EBUSY)                                                                                   \
	X(EAGAIN)                                                                                  \
	X(EISCONN)                                                                                 \
	X(E2BIG)                                                                                   \
	X(EPERM)
#define XSD_ERROR_COUNT            16
#define XSD_ERROR_INIT_ENTRY(name) {XEN_##name, #name},
#define XSD_ERRORS_INITIALIZER                                                                     \
	{                                                                                          \
		XSD_ERROR_LIST(XSD_ERROR_INIT_ENTRY)                                               \
	}

#ifndef __ASSEMBLY__

#include <stdint.h>
#include <shoji/abi-check.h>

enum xsd_sockmsg_type {
	XS_CONTROL = 0, /* daemon-specific command; payload "cmd\0args..." */
	XS_DEBUG = XS_CONTROL,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15, /* server -> client only */
	XS_ERROR = 16,       /* server -> client only */
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT; removed from the protocol and never reused. */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	/* Added after Xen 4.17 (which answers them with ENOSYS). */
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT, /* one past the highest type */
	XS_INVALID = 0xffff
};

/* Position of the parts of an XS_WATCH_EVENT payload "path\0token\0". */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };

struct xsd_errors {
	int errnum;            /* XEN_E* value */
	const char *errstring; /* its name, e.g. "ENOENT" */
};

/* The header of every message. */
struct xsd_sockmsg {
	uint32_t type;   /* enum xsd_sockmsg_type */
	uint32_t req_id; /* chosen by the client, echoed in the reply */
	uint32_t tx_id;  /* transaction id, 0 outside transactions */
	uint32_t len;    /* payload bytes that follow, <= XENSTORE_PAYLOAD_MAX */
};
SHOJI_ABI_SIZE(struct xsd_sockmsg, 16);
SHOJI_ABI_OFFSET(struct xsd_sockmsg, req_id, 4);
SHOJI_ABI_OFFSET(struct xsd_sockmsg, tx_id, 8);
SHOJI_ABI_OFFSET(struct xsd_sockmsg, len, 12);

typedef uint32_t XENSTORE_RING_IDX;

/*
 * The page shared between a domain and xenstored (HVM_PARAM_STORE_PFN).
 * req carries guest -> server bytes, rsp server -> guest.  Indexes run
 * freely and wrap at 2^32; the byte at index i lives at MASK_XENSTORE_IDX(i).
 * Producers write data, then (after a write barrier) the prod index;
 * consumers read the prod index, then (after a read barrier) the data.
 */
struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];
	char rsp[XENSTORE_RING_SIZE];
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_*; written by the server */
	uint32_t connection;      /* XENSTORE_CONNECTED / XENSTORE_RECONNECT */
	uint32_t error;           /* XENSTORE_ERROR_* */
};
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, rsp, 1024);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, req_prod, 2052);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, rsp_cons, 2056);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, server_features, 2064);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, connection, 2068);
SHOJI_ABI_OFFSET(struct xenstore_domain_interface, error, 2072);
SHOJI_ABI_SIZE(struct xenstore_domain_interface, 2076);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_IO_XS_WIRE_H */
