/*
 * The schema pass: validates a document against shoji-domain.rng with
 * libxml2's RelaxNG validator and turns its messages into domxml errors.
 */
#include "config.h"

#include <string.h>

#include <libxml/xmlerror.h>

#include "domxml-int.h"

static void record_schema_error(void *opaque, xmlErrorPtr err)
{
	struct domxml_errors *errs = opaque;
	char msg[DOMXML_ERROR_MSG_MAX];
	int line = err->line;
	size_t len;

	if (line <= 0 && err->node)
		line = domxml_line((const xmlNode *)err->node);
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "invalid");
	msg[strcspn(msg, "\n")] = '\0';
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	domxml_error_add(errs, line > 0 ? line : 0, "does not match the schema: %s", msg);
}

int domxml_schema_validate(xmlRelaxNGPtr schema, xmlDoc *doc, struct domxml_errors *errs)
{
	xmlStructuredErrorFunc old_handler;
	xmlRelaxNGValidCtxtPtr v;
	void *old_data;
	int rc;

	v = xmlRelaxNGNewValidCtxt(schema);
	if (!v) {
		domxml_error_add(errs, 0, "out of memory");
		return -1;
	}
	xmlRelaxNGSetValidStructuredErrors(v, record_schema_error, errs);
	/* Anything raised without the validation context goes to the same
	 * place rather than to libxml2's default handler (stderr). */
	old_handler = xmlStructuredError;
	old_data = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(errs, record_schema_error);
	rc = xmlRelaxNGValidateDoc(v, doc);
	xmlSetStructuredErrorFunc(old_data, old_handler);
	xmlRelaxNGFreeValidCtxt(v);
	if (rc == 0)
		return 0;
	if (errs->count == 0)
		domxml_error_add(errs, 0, "does not match the schema");
	return -1;
}
