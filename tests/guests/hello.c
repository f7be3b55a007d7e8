/*
 * hello: the smallest Shoji guest.  Prints a greeting, its domain id and
 * its command line, then powers off.
 */
#include "shoji-guest.h"

int guest_main(const struct hvm_start_info *si)
{
	const struct xen_info *xi = xen_get_info();

	printf("Hello from Shoji guest\n");
	if (xi->have_domid)
		printf("domid=%u\n", xi->domid);
	else
		printf("domid=unknown\n");
	printf("cmdline=%s\n", cmdline_string(si));
	return 0;
}
