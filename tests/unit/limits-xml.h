/*
 * The domain XML of a domain at (or past) <shoji/limits.h>'s limits, for the
 * unit tests of domxml and of the path from XML to shoji-hv.
 */
#ifndef SHOJI_TEST_LIMITS_XML_H
#define SHOJI_TEST_LIMITS_XML_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A malloc'ed document, one element a line: the name (name_len times 'n') on
 * line 2, <memory> of mem_kib KiB on line 3, <vcpu> on line 4, and kernel
 * on line 5.  NULL when out of memory or name_len is absurd.
 */
static inline char *limits_xml(size_t name_len, unsigned long long mem_kib, unsigned int vcpus,
                               const char *kernel)
{
	char name[256];
	char *xml;

	if (name_len >= sizeof(name))
		return NULL;
	memset(name, 'n', name_len);
	name[name_len] = '\0';
	if (asprintf(&xml,
	             "<domain type='xen'>\n<name>%s</name>\n<memory unit='KiB'>%llu</memory>\n"
	             "<vcpu>%u</vcpu>\n<os><type>xenpvh</type><kernel>%s</kernel></os></domain>\n",
	             name, mem_kib, vcpus, kernel) < 0)
		return NULL;
	return xml;
}

#endif
