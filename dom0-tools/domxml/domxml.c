/*
 * domxml: the parse driver.  Reads the file, parses it safely with libxml2,
 * runs the schema, shape and semantic passes and decides which errors the
 * caller sees.  See domxml.h for the contract.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "domxml-int.h"

struct domxml_parser {
	xmlRelaxNGPtr schema;
};

/* libxml2 options: no network, no DTD loading, no entity substitution (the
 * default), line numbers past 65535, CDATA merged into text, and no printing. */
#define DOMXML_XML_OPTIONS                                                                         \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |         \
	 XML_PARSE_NOCDATA)

/* Copies src into dst (of size n) with control characters written as \n,
 * \t or \xHH, so that every message stays on one line. */
static void escape_controls(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)src; *p && o + 1 < n; p++) {
		char esc[5];
		size_t len;

		if (*p >= 0x20 && *p != 0x7f) {
			dst[o++] = (char)*p;
			continue;
		}
		if (*p == '\n')
			len = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			len = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else
			len = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		if (o + len + 1 > n)
			break;
		memcpy(dst + o, esc, len);
		o += len;
	}
	dst[o] = '\0';
}

void domxml_error_add(struct domxml_errors *errs, int line, const char *fmt, ...)
{
	char raw[DOMXML_ERROR_MSG_MAX];
	struct domxml_error *e;
	va_list ap;

	if (errs->count == DOMXML_MAX_ERRORS) {
		errs->dropped++;
		return;
	}
	e = &errs->items[errs->count++];
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	escape_controls(e->msg, sizeof(e->msg), raw);
}

int domxml_line(const xmlNode *n)
{
	long line = xmlGetLineNo(n);

	return line > 0 && line < 0x7fffffff ? (int)line : 0;
}

xmlNode *domxml_child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !c->ns &&
		    xmlStrEqual(c->name, (const xmlChar *)name))
			return c;
	return NULL;
}

static void swallow_error(void *opaque, xmlErrorPtr err)
{
	(void)opaque;
	(void)err;
}

struct domxml_parser *domxml_parser_new(const char *schema_path)
{
	xmlRelaxNGParserCtxtPtr pctx = NULL;
	xmlStructuredErrorFunc old_handler;
	struct domxml_parser *p = NULL;
	void *old_data;
	int saved;

	LIBXML_TEST_VERSION;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (access(schema_path, R_OK) != 0)
		goto out;
	pctx = xmlRelaxNGNewParserCtxt(schema_path);
	if (!pctx) {
		errno = ENOMEM;
		goto out;
	}
	xmlRelaxNGSetParserStructuredErrors(pctx, swallow_error, NULL);
	old_handler = xmlStructuredError;
	old_data = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(NULL, swallow_error);
	p->schema = xmlRelaxNGParse(pctx);
	xmlSetStructuredErrorFunc(old_data, old_handler);
	xmlRelaxNGFreeParserCtxt(pctx);
	if (!p->schema) {
		errno = EINVAL;
		goto out;
	}
	return p;
out:
	saved = errno;
	free(p);
	errno = saved;
	return NULL;
}

void domxml_parser_free(struct domxml_parser *p)
{
	if (!p)
		return;
	xmlRelaxNGFree(p->schema);
	free(p);
}

static void free_disk(struct domain_disk *d)
{
	free(d->source);
	free(d->driver_name);
	free(d->driver_type);
}

static void free_nic(struct domain_nic *n)
{
	free(n->bridge);
	free(n->model);
}

void domain_config_free(struct domain_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->title);
	free(cfg->description);
	free(cfg->kernel);
	free(cfg->initrd);
	free(cfg->cmdline);
	for (size_t i = 0; i < cfg->n_disks; i++)
		free_disk(&cfg->disks[i]);
	free(cfg->disks);
	for (size_t i = 0; i < cfg->n_nics; i++)
		free_nic(&cfg->nics[i]);
	free(cfg->nics);
	memset(cfg, 0, sizeof(*cfg));
}

/* Records the first error libxml2 raises while parsing. */
static void record_parse_error(void *opaque, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = opaque; /* libxml2 passes ctxt->userData, the context */
	struct domxml_errors *errs = ctxt->_private;
	char msg[DOMXML_ERROR_MSG_MAX];
	size_t len;

	if (errs->count > 0 || err->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "parse error");
	msg[strcspn(msg, "\n")] = '\0'; /* some messages quote the input after a newline */
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	domxml_error_add(errs, err->line, "not well-formed XML: %s", msg);
}

/* The line of the "<!DOCTYPE" in buf outside comments (libxml2 keeps no
 * line for it), or 0. */
static int doctype_line(const char *buf, size_t len)
{
	int line = 1;

	for (size_t i = 0; i < len; i++) {
		if (len - i >= 4 && !memcmp(buf + i, "<!--", 4)) {
			for (i += 4; i < len && (len - i < 3 || memcmp(buf + i, "-->", 3)); i++)
				line += buf[i] == '\n';
			continue;
		}
		if (len - i >= 9 && !memcmp(buf + i, "<!DOCTYPE", 9))
			return line;
		line += buf[i] == '\n';
	}
	return 0;
}

/*
 * The CLI sends shojid the domain written out in full (absolute paths, a
 * generated uuid, defaults): that text must fit the limit too, or a file
 * that validates would fail at create.
 */
static void check_written_size(const struct domain_config *cfg, struct domxml_errors *errs)
{
	char *xml = domxml_serialise(cfg);
	size_t n = xml ? strlen(xml) : 0;

	free(xml);
	if (!xml)
		domxml_error_add(errs, 0, "out of memory");
	else if (n > DOMXML_FILE_MAX)
		domxml_error_add(errs, 0,
		                 "written out in full (absolute paths, defaults) the domain is %zu "
		                 "bytes, more than %d",
		                 n, DOMXML_FILE_MAX);
}

/* Parses buf into a tree, refusing documents that are not well-formed or
 * carry a DOCTYPE (the only way to declare entities).  NULL on error. */
static xmlDoc *read_xml(const char *buf, size_t len, struct domxml_errors *errs)
{
	xmlStructuredErrorFunc old_handler;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDoc *doc = NULL;
	void *old_data;

	if (len > DOMXML_FILE_MAX) {
		domxml_error_add(errs, 0, "file is larger than %d bytes", DOMXML_FILE_MAX);
		return NULL;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		domxml_error_add(errs, 0, "out of memory");
		return NULL;
	}
	ctxt->sax->serror = record_parse_error;
	ctxt->_private = errs;
	/* Encoding and I/O errors are raised without the parser context and
	 * would go to libxml2's default handler (stderr): catch them too, with
	 * libxml2's per-thread handler, restored afterwards. */
	old_handler = xmlStructuredError;
	old_data = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(ctxt, record_parse_error);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL, DOMXML_XML_OPTIONS);
	xmlSetStructuredErrorFunc(old_data, old_handler);
	if (!doc || !ctxt->wellFormed || errs->count > 0) {
		if (errs->count == 0)
			domxml_error_add(errs, 0, "not well-formed XML");
		goto fail;
	}
	if (doc->intSubset || doc->extSubset) {
		domxml_error_add(errs, doctype_line(buf, len),
		                 "<!DOCTYPE> is not allowed (no DTDs or entity declarations)");
		goto fail;
	}
	if (!xmlDocGetRootElement(doc)) {
		domxml_error_add(errs, 0, "no root element");
		goto fail;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
fail:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return NULL;
}

/* Sorts errors by line; ties keep the order they were found in. */
static void sort_errors(struct domxml_errors *errs)
{
	struct domxml_error tmp;

	/* Insertion sort: stable, and at most DOMXML_MAX_ERRORS entries. */
	for (size_t i = 1; i < errs->count; i++) {
		size_t j = i;

		tmp = errs->items[i];
		while (j > 0 && errs->items[j - 1].line > tmp.line) {
			errs->items[j] = errs->items[j - 1];
			j--;
		}
		errs->items[j] = tmp;
	}
}

static int parse_buffer(struct domxml_parser *p, const char *buf, size_t len,
                        const struct domxml_options *opt, const char *base_dir,
                        struct domain_config *cfg, struct domxml_errors *errs)
{
	static const struct domxml_options no_options;
	struct domxml_errors schema_errs = {0};
	struct domxml_walk walk = {0};
	xmlDoc *doc = NULL;
	xmlNode *root;
	int schema_rc;

	memset(cfg, 0, sizeof(*cfg));
	doc = read_xml(buf, len, errs);
	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);

	/* Pass 1: the schema.  Its verdict stands; its messages are shown
	 * only when the C passes below cannot say something more precise. */
	schema_rc = domxml_schema_validate(p->schema, doc, &schema_errs);

	/* Pass 2: shape (unknown, duplicate and missing elements and attributes). */
	domxml_check_shape(root, errs);

	/* Pass 3: semantics, on whatever part of the tree is usable. */
	if (xmlStrEqual(root->name, (const xmlChar *)"domain") && !root->ns) {
		walk.errs = errs;
		walk.opt = opt ? opt : &no_options;
		walk.base_dir = base_dir;
		walk.cfg = cfg;
		domxml_check_config(root, &walk);
	}
	if (errs->count == 0 && schema_rc != 0)
		*errs = schema_errs;
	xmlFreeDoc(doc);
	if (errs->count == 0)
		check_written_size(cfg, errs);
	if (errs->count > 0) {
		sort_errors(errs);
		domain_config_free(cfg);
		return -1;
	}
	return 0;
}

int domxml_parse_memory(struct domxml_parser *p, const char *buf, size_t len,
                        const struct domxml_options *opt, struct domain_config *cfg,
                        struct domxml_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	return parse_buffer(p, buf, len, opt, opt ? opt->base_dir : NULL, cfg, errs);
}

/* The absolute directory that holds path (symlinks in it resolved); NULL on error. */
static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *abs;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return NULL;
	abs = realpath(dir, NULL);
	free(dir);
	return abs;
}

/* Reads a regular file of at most DOMXML_FILE_MAX bytes; NULL on error. */
static char *read_file(const char *path, size_t *len, struct domxml_errors *errs)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		domxml_error_add(errs, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		domxml_error_add(errs, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		domxml_error_add(errs, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > DOMXML_FILE_MAX) {
		domxml_error_add(errs, 0, "file is larger than %d bytes", DOMXML_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		domxml_error_add(errs, 0, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			domxml_error_add(errs, 0, "cannot read: %s",
			                 n < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return buf;
}

int domxml_parse_file(struct domxml_parser *p, const char *path, const struct domxml_options *opt,
                      struct domain_config *cfg, struct domxml_errors *errs)
{
	char *buf = NULL, *dir = NULL;
	size_t len = 0;
	int rc = -1;

	memset(errs, 0, sizeof(*errs));
	memset(cfg, 0, sizeof(*cfg));
	buf = read_file(path, &len, errs);
	if (!buf)
		goto out;
	if (opt && opt->base_dir) {
		rc = parse_buffer(p, buf, len, opt, opt->base_dir, cfg, errs);
		goto out;
	}
	dir = directory_of(path);
	if (!dir) {
		domxml_error_add(errs, 0, "cannot resolve the file's directory: %s",
		                 strerror(errno));
		goto out;
	}
	rc = parse_buffer(p, buf, len, opt, dir, cfg, errs);
out:
	free(buf);
	free(dir);
	return rc;
}
