/*
 * `shoji host-info` (like `xl info` / `virsh nodeinfo`): the host's CPUs and
 * memory from sysconf and /proc, KVM and its capabilities when /dev/kvm
 * opens, shoji-hv's limits (include/shoji/limits.h, the values shoji-hv
 * enforces) and the versions this CLI speaks.  Needs no daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <shoji/limits.h>

#include "cli.h"
#include "proto/hv-ctrl.h"

/* The KVM capabilities shoji-hv relies on or reports, asked with KVM_CHECK_EXTENSION. */
static const struct {
	const char *name;
	int cap;
} kvm_caps[] = {
    {"nr_vcpus", KVM_CAP_NR_VCPUS},       /* recommended vCPUs per VM */
    {"max_vcpus", KVM_CAP_MAX_VCPUS},     /* vCPUs per VM at most */
    {"nr_memslots", KVM_CAP_NR_MEMSLOTS}, /* memory slots per VM */
    {"irqchip", KVM_CAP_IRQCHIP},         /* in-kernel interrupt controller */
    {"sync_regs", KVM_CAP_SYNC_REGS},     /* registers in kvm_run */
    {"tsc_control", KVM_CAP_TSC_CONTROL}, /* guest TSC frequency */
    {"immediate_exit", KVM_CAP_IMMEDIATE_EXIT},
};
#define N_KVM_CAPS (sizeof(kvm_caps) / sizeof(kvm_caps[0]))

struct host_info {
	struct utsname uts;
	long cpus_online, cpus_configured;
	char cpu_model[128];
	uint64_t mem_total_kib, mem_free_kib, mem_available_kib;
	bool kvm;             /* /dev/kvm opened */
	char kvm_why[128];    /* why not */
	int kvm_api;          /* KVM_GET_API_VERSION */
	int caps[N_KVM_CAPS]; /* KVM_CHECK_EXTENSION results */
};

/* "KEY: VALUE kB" of /proc/meminfo, in KiB (0 when absent). */
static uint64_t meminfo(const char *text, const char *key)
{
	const char *p = text;
	size_t len = strlen(key);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ':')
			return strtoull(p + len + 1, NULL, 10);
	return 0;
}

static void read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void host_probe(struct host_info *h)
{
	static char buf[65536];
	char *p;
	int fd;

	memset(h, 0, sizeof(*h));
	uname(&h->uts);
	h->cpus_online = sysconf(_SC_NPROCESSORS_ONLN);
	h->cpus_configured = sysconf(_SC_NPROCESSORS_CONF);
	read_file("/proc/cpuinfo", buf, sizeof(buf));
	p = strstr(buf, "model name");
	if (p && (p = strchr(p, ':'))) {
		p += strspn(p, ": \t");
		snprintf(h->cpu_model, sizeof(h->cpu_model), "%.*s", (int)strcspn(p, "\n"), p);
	}
	read_file("/proc/meminfo", buf, sizeof(buf));
	h->mem_total_kib = meminfo(buf, "MemTotal");
	h->mem_free_kib = meminfo(buf, "MemFree");
	h->mem_available_kib = meminfo(buf, "MemAvailable");
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(h->kvm_why, sizeof(h->kvm_why), "%s",
		         errno == ENOENT ? "no /dev/kvm" : strerror(errno));
		return;
	}
	h->kvm = true;
	h->kvm_api = ioctl(fd, KVM_GET_API_VERSION, 0);
	for (size_t i = 0; i < N_KVM_CAPS; i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, kvm_caps[i].cap);

		h->caps[i] = r < 0 ? 0 : r;
	}
	close(fd);
}

static void print_json(const struct host_info *h)
{
	printf("{\"hostname\": ");
	cli_json_string(stdout, h->uts.nodename);
	printf(", \"kernel\": ");
	cli_json_string(stdout, h->uts.release);
	printf(", \"machine\": ");
	cli_json_string(stdout, h->uts.machine);
	printf(", \"cpus\": %ld, \"cpus_configured\": %ld, \"cpu_model\": ", h->cpus_online,
	       h->cpus_configured);
	cli_json_string(stdout, h->cpu_model[0] ? h->cpu_model : NULL);
	printf(", \"memory_kib\": %" PRIu64 ", \"free_memory_kib\": %" PRIu64
	       ", \"available_memory_kib\": %" PRIu64,
	       h->mem_total_kib, h->mem_free_kib, h->mem_available_kib);
	if (h->kvm) {
		printf(", \"kvm\": {\"available\": true, \"api_version\": %d, \"capabilities\": {",
		       h->kvm_api);
		for (size_t i = 0; i < N_KVM_CAPS; i++)
			printf("%s\"%s\": %d", i ? ", " : "", kvm_caps[i].name, h->caps[i]);
		printf("}}");
	} else {
		printf(", \"kvm\": {\"available\": false, \"reason\": ");
		cli_json_string(stdout, h->kvm_why);
		printf("}");
	}
	printf(", \"limits\": {\"max_domains\": %d, \"max_vcpus\": %d, \"min_memory_kib\": %llu"
	       ", \"max_memory_kib\": %llu, \"max_name_length\": %d}",
	       SHOJI_DOMAINS_MAX, SHOJI_DOMAIN_VCPUS_MAX, SHOJI_DOMAIN_MEMORY_MIN_KIB,
	       SHOJI_DOMAIN_MEMORY_MAX_KIB, SHOJI_DOMAIN_NAME_MAX);
	printf(", \"versions\": {\"shoji\": \"%s\", \"shojid_api\": %d, \"hv_control\": %u}}\n",
	       PACKAGE_VERSION, API_VERSION, CTRL_PROTO_VERSION);
}

static void print_text(const struct host_info *h)
{
	printf("host:                  %s\n", h->uts.nodename);
	printf("kernel:                %s %s\n", h->uts.sysname, h->uts.release);
	printf("machine:               %s\n", h->uts.machine);
	printf("cpus:                  %ld (%ld configured)\n", h->cpus_online, h->cpus_configured);
	if (h->cpu_model[0])
		printf("cpu model:             %s\n", h->cpu_model);
	printf("total memory:          %" PRIu64 " MiB\n", h->mem_total_kib / 1024);
	printf("free memory:           %" PRIu64 " MiB (%" PRIu64 " MiB available)\n",
	       h->mem_free_kib / 1024, h->mem_available_kib / 1024);
	if (h->kvm) {
		printf("kvm:                   yes (API version %d)\n", h->kvm_api);
		for (size_t i = 0; i < N_KVM_CAPS; i++)
			printf("  %-20s %d\n", kvm_caps[i].name, h->caps[i]);
	} else {
		printf("kvm:                   no (%s)\n", h->kvm_why);
	}
	printf("max domains:           %d\n", SHOJI_DOMAINS_MAX);
	printf("max vcpus per domain:  %d\n", SHOJI_DOMAIN_VCPUS_MAX);
	printf("memory per domain:     %llu KiB .. %llu MiB\n", SHOJI_DOMAIN_MEMORY_MIN_KIB,
	       SHOJI_DOMAIN_MEMORY_MAX_KIB / 1024);
	printf("shoji version:         %s\n", PACKAGE_VERSION);
	printf("shojid api version:    %d\n", API_VERSION);
	printf("hv control version:    %u\n", CTRL_PROTO_VERSION);
}

int cli_cmd_host_info(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("host-info");
	struct host_info h;
	bool json = ctx->json;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_help(stdout, cmd);
			return CLI_EXIT_OK;
		} else {
			if (argv[i][0] == '-')
				return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
			return cli_usage_error(cmd, "unexpected operand '%s'", argv[i]);
		}
	}
	host_probe(&h);
	if (json)
		print_json(&h);
	else
		print_text(&h);
	return CLI_EXIT_OK;
}
