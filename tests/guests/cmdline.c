/*
 * cmdline: echoes the command line exactly ("cmdline=[...]") with its
 * length, checks it is NUL-terminated inside RAM and clear of the image,
 * and parses "key=value" words when the test passes alpha=1 beta=two.
 */
#include "check.h"

extern char _start_image[], _end[];

int guest_main(const struct hvm_start_info *si)
{
	const char *cl = cmdline_string(si);
	uint64_t pa = si->cmdline_paddr;
	size_t len = strnlen(cl, 65536);
	char buf[32] = "";

	printf("cmdline=[%s]\n", cl);
	printf("cmdline_len=%lu\n", (unsigned long)len);
	check(len < 65536, "cmdline_terminated", NULL);
	check(pa == 0 || pa + len < (uintptr_t)_start_image || pa >= (uintptr_t)_end,
	      "cmdline_clear_of_image", "paddr=0x%lx", (unsigned long)pa);
	if (strstr(cl, "alpha=") != NULL) {
		check(cmdline_get(si, "alpha", buf, sizeof(buf)) && strcmp(buf, "1") == 0,
		      "cmdline_alpha", "value=%s", buf);
		check(cmdline_get(si, "beta", buf, sizeof(buf)) && strcmp(buf, "two") == 0,
		      "cmdline_beta", "value=%s", buf);
		check(!cmdline_get(si, "gamma", buf, sizeof(buf)), "cmdline_gamma_absent", NULL);
	}
	return check_finish();
}
