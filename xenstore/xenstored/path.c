/*
 * Path rules: allowed characters, shape, relative paths and length limits.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xsd.h"

static bool path_char_ok(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '/' || ch == '_' || ch == '@';
}

/* Length of a "/local/domain/<digits>/" prefix of p, or 0. */
static uint32_t domain_prefix_len(const char *p, uint32_t len)
{
	static const char pre[] = "/local/domain/";
	uint32_t i = sizeof(pre) - 1;

	if (len <= i || memcmp(p, pre, i) != 0)
		return 0;
	if (p[i] < '0' || p[i] > '9')
		return 0;
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i >= len || p[i] != '/')
		return 0;
	return i + 1;
}

int path_canon(const char *in, uint32_t domid, uint32_t path_max, bool allow_special, char *out,
               uint32_t *outlen)
{
	size_t inlen = strlen(in);
	uint32_t pre = 0, len, i;

	if (inlen == 0 || inlen > XSD_ABS_PATH_MAX)
		return EINVAL;
	if (in[0] == '@') {
		if (!allow_special)
			return EINVAL;
	} else if (in[0] != '/') {
		pre = (uint32_t)snprintf(out, XSD_ABS_PATH_MAX + 1, "/local/domain/%u/", domid);
	}
	if (pre + inlen > XSD_ABS_PATH_MAX)
		return EINVAL;
	memcpy(out + pre, in, inlen + 1);
	len = pre + (uint32_t)inlen;
	for (i = 0; i < len; i++) {
		if (!path_char_ok((unsigned char)out[i]))
			return EINVAL;
		if (out[i] == '/' && i + 1 < len && out[i + 1] == '/')
			return EINVAL;
	}
	if (len > 1 && out[len - 1] == '/')
		return EINVAL;
	if (out[0] == '/' && len - domain_prefix_len(out, len) > path_max)
		return EINVAL;
	if (out[0] == '@' && len > path_max)
		return EINVAL;
	*outlen = len;
	return 0;
}

bool path_is_below(const char *child, uint32_t clen, const char *node, uint32_t nlen)
{
	if (clen < nlen || memcmp(child, node, nlen) != 0)
		return false;
	if (clen == nlen)
		return true;
	/* "/" is the parent of everything absolute */
	return node[nlen - 1] == '/' || child[nlen] == '/';
}

uint32_t path_parent_len(const char *path, uint32_t len)
{
	uint32_t i = len;

	if (len <= 1)
		return 0;
	while (i > 0 && path[i - 1] != '/')
		i--;
	/* i is just after the last '/'; the parent of "/a" is "/" */
	return i <= 1 ? 1 : i - 1;
}

uint32_t path_depth(const char *path, uint32_t len)
{
	uint32_t i, n = 0;

	if (len <= 1)
		return 0;
	for (i = 0; i < len; i++)
		n += path[i] == '/';
	return n;
}
