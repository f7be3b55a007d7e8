/*
 * backend-internal.h: what backend.c (the core: handles, loop, watches,
 * ports, domain deaths) and xenbus.c (device classes) share.
 */
#ifndef SHOJI_BACKEND_INTERNAL_H
#define SHOJI_BACKEND_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/backend.h>

struct bk_class;

/* xenbus.c: device classes hooked into the core. */
struct bk_xenbus {
	struct bk_class *classes;
};

/* Tear down every device of @domid (the domain is gone). */
void xenbus_domain_gone(struct shoji_backend *be, uint32_t domid);
/* Tear down every device and class (the backend is being freed). */
void xenbus_free_all(struct shoji_backend *be);
struct bk_xenbus *backend_xenbus(struct shoji_backend *be);

#endif
