/*
 * triplefault: loads an empty IDT and raises #UD.  The CPU cannot deliver
 * it (nor the #GP and #DF that follow) and triple-faults: the domain must
 * end as crashed, and nothing after the fault may run.
 */
#include "shoji-guest.h"

int guest_main(const struct hvm_start_info *si)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} null_idt = {0, 0};

	printf("triplefault: loading a null IDT and faulting\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(null_idt));
	printf("FAIL triplefault: still running after the fault\n");
	return 1;
}
