/*
 * start.c: from entry.S to guest_main(), and the command-line helpers.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/sched.h>

void guest_start(uint32_t start_info_gpa)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info_gpa;
	int rc;

	/* Without a hypervisor we cannot even print: die visibly. */
	if (hypercall_init() < 0)
		guest_die();
	irq_init();
	if (si == NULL || si->magic != XEN_HVM_START_MAGIC_VALUE) {
		printf("shoji-guest: bad hvm_start_info at 0x%x (magic 0x%x)\n", start_info_gpa,
		       si != NULL ? si->magic : 0);
		shutdown(SHUTDOWN_crash);
	}
	alloc_init(si);

	rc = guest_main(si);
	if (rc == 0)
		shutdown(SHUTDOWN_poweroff);
	printf("guest_main returned %d\n", rc);
	shutdown(SHUTDOWN_crash);
}

const char *cmdline_string(const struct hvm_start_info *si)
{
	if (si->cmdline_paddr == 0)
		return "";
	return (const char *)(uintptr_t)si->cmdline_paddr;
}

bool cmdline_get(const struct hvm_start_info *si, const char *key, char *buf, size_t len)
{
	const char *p = cmdline_string(si);
	size_t klen = strlen(key);

	while (*p != '\0') {
		const char *word = p;
		size_t n = 0;

		while (p[n] != '\0' && p[n] != ' ')
			n++;
		if (n > klen && strncmp(word, key, klen) == 0 && word[klen] == '=') {
			size_t vlen = n - klen - 1;

			if (len == 0)
				return true;
			if (vlen >= len)
				vlen = len - 1;
			memcpy(buf, word + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}
