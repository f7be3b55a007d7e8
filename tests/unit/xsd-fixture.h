/*
 * A private shoji-xenstored for the unit tests of shojid's xenstore layouts
 * (vbd.c, vif.c): started in a temporary directory, connected as Dom0, and
 * the checks those tests make of its nodes.
 */
#ifndef SHOJI_TEST_XSD_FIXTURE_H
#define SHOJI_TEST_XSD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/xs.h>

extern struct shoji_xs *xs; /* the connection, between xsd_start() and xsd_stop() */

/* Start the daemon (top_builddir's) and connect; @name marks its temporary directory. */
void xsd_start(const char *name);
/* Stop it and remove its directory. */
void xsd_stop(void);
/* The value at @path, which must exist, is @want. */
void xsd_expect(const char *path, const char *want);
bool xsd_exists(const char *path);
/* @path's permissions are exactly owner @o (no access for others) and read for @r. */
void xsd_expect_perms(const char *path, uint32_t o, uint32_t r);

#endif
