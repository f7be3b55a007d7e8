/*
 * fault: exercises the runtime's crash paths.  "kind=" on the command line
 * picks one: ud (invalid opcode), pf (write to an unmapped address), de
 * (divide by zero), gp (non-canonical access), ret (guest_main returns 7).
 * Each must print what happened and end as crashed.  (No int3: KVM's
 * emulator on the development hosts cannot run it in guest kernel mode.)
 */
#include "check.h"

#define UNMAPPED     0x0000700000000000UL
#define NONCANONICAL 0x8000000000000000UL

int guest_main(const struct hvm_start_info *si)
{
	char kind[8] = "";
	unsigned int eax = 1, edx = 0, zero = 0;

	cmdline_get(si, "kind", kind, sizeof(kind));
	printf("fault: kind=%s\n", kind);
	if (strcmp(kind, "ud") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(kind, "pf") == 0)
		*(volatile uint64_t *)UNMAPPED = 1;
	else if (strcmp(kind, "de") == 0)
		__asm__ volatile("divl %2" : "+a"(eax), "+d"(edx) : "r"(zero)); /* 1 / 0 */
	else if (strcmp(kind, "gp") == 0)
		*(volatile uint64_t *)NONCANONICAL = 1;
	else if (strcmp(kind, "ret") == 0)
		return 7;
	printf("FAIL fault: still running after kind=%s\n", kind);
	return 1;
}
