/*
 * pvh-inspect: run shoji-hv's PVH loader and hypercall-stub scanner on an
 * image file without running it, and print what they found.  For the
 * tests that use real Debian images (tests/system/debian-*.sh).
 *
 *   pvh-inspect [-m MiB] [-c vcpus] [-p] IMAGE
 *
 * -p also rewrites the stubs (as domain_load does where KVM has no Xen
 * intercept) and checks that the loaded guest memory holds the trapping
 * sequence at each site.  Output lines are "key: value".  Exit status: 0
 * when the loader accepted the image, 1 when it refused it, 2 on bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hcpatch.h"
#include "kvm.h"
#include "loader.h"

static void usage(void)
{
	fprintf(stderr, "usage: pvh-inspect [-m MiB] [-c vcpus] [-p] IMAGE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long mib = 256, vcpus = 1;
	struct hcpatch_result hc;
	struct pvh_boot boot;
	struct guestmem m;
	uint8_t *img = NULL;
	bool patch = false;
	char err[256] = "";
	size_t len = 0;
	unsigned int i;
	int c, r;

	while ((c = getopt(argc, argv, "m:c:p")) != -1) {
		switch (c) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			vcpus = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			patch = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || mib < 1 || mib > 3072)
		usage();
	m.size = (uint64_t)mib << 20;
	m.base = mmap(NULL, m.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m.base == MAP_FAILED) {
		perror("pvh-inspect: mmap");
		return 2;
	}
	if (loader_read_file(argv[optind], m.size, &img, &len, err, sizeof(err)) < 0) {
		printf("load: error: %s\n", err);
		return 1;
	}

	r = patch ? hcpatch_apply(img, len, &hc, err, sizeof(err))
	          : hcpatch_scan(img, len, &hc, err, sizeof(err));
	printf("hcpatch-anchors: %u\n", hc.anchors);
	if (r < 0)
		printf("hcpatch: refused: %s\n", err);
	else
		printf("hcpatch: %s\n", r == 1 ? (patch ? "patched" : "found") : "none");
	for (i = 0; i < hc.nsites; i++)
		printf("hcpatch-site: %s vaddr 0x%llx paddr 0x%llx offset 0x%llx\n",
		       hc.sites[i].insn, (unsigned long long)hc.sites[i].vaddr,
		       (unsigned long long)hc.sites[i].paddr,
		       (unsigned long long)hc.sites[i].offset);

	if (pvh_load(&m, img, len, NULL, 0, "console=hvc0", (unsigned int)vcpus, &boot, err,
	             sizeof(err)) < 0) {
		printf("load: error: %s\n", err);
		return 1;
	}
	printf("load: ok\n");
	printf("entry: 0x%x\n", boot.entry);
	printf("start-info: 0x%x\n", boot.start_info);
	printf("image-end: 0x%llx\n", (unsigned long long)boot.image_end);
	printf("rsdp: 0x%llx\n", (unsigned long long)boot.rsdp);
	for (i = 0; patch && r == 1 && i < hc.nsites; i++) {
		const uint8_t want[HCPATCH_LEN] = {0xe7, HV_HYPERCALL_PORT, 0x90};
		const uint8_t *at = gm_gpa(&m, hc.sites[i].paddr, HCPATCH_LEN);

		printf("guest-bytes: %s at 0x%llx %s\n", hc.sites[i].insn,
		       (unsigned long long)hc.sites[i].paddr,
		       at && memcmp(at, want, sizeof(want)) == 0 ? "trap" : "NOT-PATCHED");
	}
	free(img);
	munmap(m.base, m.size);
	return 0;
}
