/*
 * Internal to the domxml library: what its files (parse driver, shape
 * tables, semantic checks, schema pass, enum names, serialiser) share.
 */
#ifndef SHOJI_DOMXML_INT_H
#define SHOJI_DOMXML_INT_H

#include <libxml/tree.h>
#include <libxml/relaxng.h>

#include "domxml.h"

/* State of one semantic walk over a well-shaped document. */
struct domxml_walk {
	struct domxml_errors *errs;
	const struct domxml_options *opt;
	const char *base_dir; /* absolute directory for relative paths, or NULL */
	struct domain_config *cfg;
};

/* Checks element and attribute names, counts and text placement against the
 * C mirror of shoji-domain.rng; every problem is added to errs. */
void domxml_check_shape(xmlNode *root, struct domxml_errors *errs);

/* Fills w->cfg from a document and adds every semantic problem to w->errs. */
void domxml_check_config(xmlNode *root, struct domxml_walk *w);

/* Validates doc against the compiled schema; returns 0 when valid, -1 with
 * the schema's own messages added to errs otherwise. */
int domxml_schema_validate(xmlRelaxNGPtr schema, xmlDoc *doc, struct domxml_errors *errs);

/*
 * The XML names of the enums of domxml.h (domxml-names.c): one table per
 * enum, indexed by value and NULL-terminated.
 */
extern const char *const domxml_type_names[];
extern const char *const domxml_action_names[];
extern const char *const domxml_disk_type_names[];
extern const char *const domxml_disk_device_names[];
extern const char *const domxml_nic_type_names[];

/* Index of s in the NULL-terminated names[] (the enum value it names), or -1. */
int domxml_lookup(const char *const *names, const char *s);

/* The line of a node as libxml2 recorded it (start tag). */
int domxml_line(const xmlNode *n);

/* First element child of n named name, or NULL. */
xmlNode *domxml_child(const xmlNode *n, const char *name);

#endif
