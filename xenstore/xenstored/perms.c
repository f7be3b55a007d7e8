/*
 * Node permissions: the wire form "<letter><domid>" and the access rule
 * (the first entry names the owner and the default for everyone else;
 * later entries are per-domain ACLs; privileged connections bypass all).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xsd.h"

static int perm_letter(char c, uint32_t *perm)
{
	switch (c) {
	case 'n':
		*perm = XS_PERM_NONE;
		return 0;
	case 'r':
		*perm = XS_PERM_READ;
		return 0;
	case 'w':
		*perm = XS_PERM_WRITE;
		return 0;
	case 'b':
		*perm = XS_PERM_BOTH;
		return 0;
	default:
		return EINVAL;
	}
}

int perms_parse(const char *buf, uint32_t len, struct xs_perm *out, uint32_t max, uint32_t *n)
{
	uint32_t pos = 0, cnt = 0;

	while (pos < len) {
		const char *e = buf + pos;
		size_t elen = strnlen(e, len - pos);
		uint64_t id = 0;
		uint32_t perm;
		size_t i;

		if (elen == len - pos) /* no terminating NUL */
			return EINVAL;
		if (elen < 2 || perm_letter(e[0], &perm) != 0)
			return EINVAL;
		for (i = 1; i < elen; i++) {
			if (e[i] < '0' || e[i] > '9')
				return EINVAL;
			id = id * 10 + (uint64_t)(e[i] - '0');
			if (id >= XSD_DOMID_MAX)
				return EINVAL;
		}
		if (cnt >= max)
			return E2BIG;
		out[cnt].domid = (uint32_t)id;
		out[cnt].perm = perm;
		cnt++;
		pos += (uint32_t)elen + 1;
	}
	if (cnt == 0)
		return EINVAL;
	*n = cnt;
	return 0;
}

static const char perm_letters[4] = {'n', 'r', 'w', 'b'};

uint32_t perms_wire_len(const struct xs_perm *p, uint32_t n)
{
	char tmp[16];
	uint32_t i, len = 0;

	for (i = 0; i < n; i++)
		len += (uint32_t)snprintf(tmp, sizeof(tmp), "%u", p[i].domid) + 2;
	return len;
}

uint32_t perms_format(const struct xs_perm *p, uint32_t n, char *buf)
{
	uint32_t i, len = 0;

	for (i = 0; i < n; i++) {
		buf[len++] = perm_letters[p[i].perm & 3];
		len += (uint32_t)sprintf(buf + len, "%u", p[i].domid) + 1;
	}
	return len;
}

uint32_t perms_get(const struct xs_who *who, const struct xs_perm *p, uint32_t n)
{
	uint32_t i;

	if (who->priv)
		return XS_PERM_BOTH | XS_PERM_OWNER;
	if (n == 0)
		return XS_PERM_NONE;
	if (p[0].domid == who->domid || (who->target < XSD_DOMID_MAX && p[0].domid == who->target))
		return XS_PERM_BOTH | XS_PERM_OWNER;
	for (i = 1; i < n; i++)
		if (p[i].domid == who->domid)
			return p[i].perm;
	if (who->target < XSD_DOMID_MAX)
		for (i = 1; i < n; i++)
			if (p[i].domid == who->target)
				return p[i].perm;
	return p[0].perm;
}
