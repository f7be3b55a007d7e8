/*
 * hv_bench: shoji-hv's figures, each beside its comparison from the same run.
 *   hv_bench HELLO BENCH_HYPERCALL_GUEST IDLE_GUEST
 * (a) create -> first console_io byte -> destroy of HELLO, median/p99 of
 *     HV_BENCH_RUNS (default 100) runs, cold and from a pool of pre-built VMs;
 * (b) hypercall round trip (xen_version, timed in the guest by
 *     BENCH_HYPERCALL_GUEST) beside a raw KVM userspace I/O-exit round trip
 *     timed the same way (rdtsc in a minimal guest), as a ratio;
 * (c) shoji-hv memory per domain with 100 idle domains (IDLE_GUEST, blocked
 *     in SCHEDOP_block): RSS growth minus the guest RAM they touched.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cpuid.h"
#include "domain.h"
#include "hv.h"
#include "hvtime.h"
#include "kvm.h"
#include "platform.h"
#include "vcpu.h"

#include <shoji/vcpu.h>

#define MIB (1ULL << 20)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, size_t n, unsigned int p)
{
	size_t i = (n * p + 99) / 100;

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[i ? i - 1 : 0];
}

static void fatal(const char *what, int err)
{
	fprintf(stderr, "hv_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Boot @kernel in a new domain; returns it once its console has @want bytes (or it stops). */
static struct domain *boot(struct hv *hv, const char *kernel, const char *cmdline, uint64_t mem,
                           uint64_t want, uint64_t *first_ns, uint64_t *start_ns)
{
	struct domain_config cfg = {.memory = mem, .nr_vcpus = 1};
	struct domain *d;
	const char *bad;
	char err[512];
	uint64_t t0;
	int r;

	/* What shoji-hv's control socket gives a domain that names no CPUID features. */
	if (cpuid_parse_hide(CPUID_HIDE_DEFAULT, &cfg.cpuid_hide, &bad) < 0)
		fatal("CPUID_HIDE_DEFAULT", EINVAL);
	t0 = time_mono_ns();
	r = domain_create(hv, &cfg, &d);
	if (r < 0)
		fatal("domain_create", -r);
	if (domain_load(d, kernel, NULL, cmdline, err, sizeof(err)) < 0) {
		fprintf(stderr, "hv_bench: %s\n", err);
		exit(1);
	}
	if (domain_unpause(d) < 0)
		fatal("unpause", EINVAL);
	if (start_ns)
		*start_ns = time_mono_ns() - t0;
	for (;;) {
		uint64_t prod, at;
		bool stopped;

		pthread_mutex_lock(&d->lock);
		prod = d->console.prod;
		at = d->console.first_ns;
		stopped = d->is_shutdown || d->crashed;
		pthread_mutex_unlock(&d->lock);
		if (prod >= want || stopped) {
			/* shoji-hv stamps the first byte as it lands: no polling error */
			if (first_ns)
				*first_ns = (prod > 0 ? at : time_mono_ns()) - t0;
			return d;
		}
		usleep(20);
	}
}

static void bench_create(struct hv *hv, const char *hello, unsigned int runs, const char *label)
{
	uint64_t *first = calloc(runs, sizeof(*first)), *total = calloc(runs, sizeof(*total));
	uint64_t *start = calloc(runs, sizeof(*start));
	unsigned int i;

	for (i = 0; i < runs; i++) {
		uint64_t t0 = time_mono_ns();
		struct domain *d = boot(hv, hello, NULL, 64 * MIB, 1, &first[i], &start[i]);

		domain_destroy(d);
		domain_put(d);
		total[i] = time_mono_ns() - t0;
		if (hv->pool.running)
			usleep(30000); /* let the pool refill, as between real requests */
	}
	printf("create_to_first_byte_%s_us: median=%.1f p99=%.1f  (of which shoji-hv's create+load+"
	       "start: median=%.1f p99=%.1f; create+boot+destroy: median=%.1f p99=%.1f; n=%u)\n",
	       label, pct(first, runs, 50) / 1e3, pct(first, runs, 99) / 1e3,
	       pct(start, runs, 50) / 1e3, pct(start, runs, 99) / 1e3, pct(total, runs, 50) / 1e3,
	       pct(total, runs, 99) / 1e3, runs);
	free(start);
	free(first);
	free(total);
}

/*
 * One minimal 64-bit guest (long mode, identity-mapped 2 MiB pages) run two
 * ways with identical instructions: n times { rdtsc; call stub; rdtsc; store
 * the cycles } where the stub is a hypercall-page stub (mov $17,%eax; out
 * %eax,$PORT; ret) with edi = XENVER_version.  On a bare KVM VM the port is
 * 0x10 and the host just resumes; as a shoji-hv domain the port is shoji-hv's
 * hypercall port, so every call runs the real exit path and dispatch.
 * rsi = n, rbp = result buffer.
 */
#define RAW_CODE 0x1000
#define RAW_STUB (RAW_CODE + 64)
#define RAW_PML4 0x2000
#define RAW_PDPT 0x3000
#define RAW_PD   0x4000
#define RAW_SHUT 0x5000 /* struct sched_shutdown {0} */
#define RAW_OUT  0x100000
#define RAW_PORT 0x10

static const uint8_t loop_code[] = {
    0x0f, 0x31,                   /*  0: rdtsc */
    0x89, 0xc3,                   /*  2: mov %eax,%ebx */
    0x31, 0xff,                   /*  4: xor %edi,%edi */
    0xe8, 0x35, 0x00, 0x00, 0x00, /*  6: call stub (64) */
    0x0f, 0x31,                   /* 11: rdtsc */
    0x29, 0xd8,                   /* 13: sub %ebx,%eax */
    0x89, 0x45, 0x00,             /* 15: mov %eax,0(%rbp) */
    0x48, 0x83, 0xc5, 0x04,       /* 18: add $4,%rbp */
    0xff, 0xce,                   /* 22: dec %esi */
    0x75, 0xe6,                   /* 24: jnz 0 */
};
/* After the loop, bare KVM: out %al,$0x11; hlt. */
static const uint8_t end_raw[] = {0xe6, 0x11, 0xf4};
/* After the loop, shoji-hv: sched_op(SCHEDOP_shutdown, {poweroff}); hlt. */
static const uint8_t end_shoji[] = {
    0xbf,          0x02,
    0x00,          0x00,
    0x00, /* mov $2,%edi */
    0xbe,          RAW_SHUT & 0xff,
    RAW_SHUT >> 8, 0x00,
    0x00, /* mov $RAW_SHUT,%esi */
    0xb8,          0x1d,
    0x00,          0x00,
    0x00,                             /* mov $29,%eax */
    0xe7,          HV_HYPERCALL_PORT, /* out %eax,$port */
    0xf4,                             /* hlt */
};

/* Write the page tables and code into @ram; @port is the stub's port. */
static void loop_image(uint8_t *ram, bool shoji)
{
	const uint8_t stub[] = {
	    0xb8, 0x11, 0x00, 0x00, 0x00, 0xe7, shoji ? HV_HYPERCALL_PORT : RAW_PORT, 0xc3};
	uint64_t e;

	e = RAW_PDPT | 3;
	memcpy(ram + RAW_PML4, &e, 8);
	e = RAW_PD | 3;
	memcpy(ram + RAW_PDPT, &e, 8);
	e = 0x83;
	memcpy(ram + RAW_PD, &e, 8);
	e = 0x200000 | 0x83;
	memcpy(ram + RAW_PD + 8, &e, 8);
	memcpy(ram + RAW_CODE, loop_code, sizeof(loop_code));
	if (shoji)
		memcpy(ram + RAW_CODE + sizeof(loop_code), end_shoji, sizeof(end_shoji));
	else
		memcpy(ram + RAW_CODE + sizeof(loop_code), end_raw, sizeof(end_raw));
	memcpy(ram + RAW_STUB, stub, sizeof(stub));
	memset(ram + RAW_SHUT, 0, 8);
}

/* The long-mode start state of the loop guest. */
static void loop_start(struct vcpu_start *st, uint64_t n)
{
	struct vcpu_hvm_context ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.mode = VCPU_HVM_MODE_64B;
	ctx.cpu_regs.x86_64.cr0 = 0x80000011;
	ctx.cpu_regs.x86_64.cr3 = RAW_PML4;
	ctx.cpu_regs.x86_64.cr4 = 0x20;
	ctx.cpu_regs.x86_64.efer = 0x500;
	ctx.cpu_regs.x86_64.rip = RAW_CODE;
	ctx.cpu_regs.x86_64.rsi = n;
	ctx.cpu_regs.x86_64.rbp = RAW_OUT;
	ctx.cpu_regs.x86_64.rsp = 0x80000;
	ctx.cpu_regs.x86_64.rflags = 0x2;
	if (vcpu_hvm_start_state(st, &ctx) < 0)
		fatal("loop start state", EINVAL);
}

static double loop_results(const uint8_t *ram, unsigned int n, uint32_t khz, double *p99)
{
	uint64_t *ns = calloc(n, sizeof(*ns));
	unsigned int i;
	double median;

	for (i = 0; i < n; i++) {
		uint32_t cycles;

		memcpy(&cycles, ram + RAW_OUT + 4 * i, 4);
		ns[i] = (uint64_t)cycles * 1000000ULL / khz;
	}
	median = (double)pct(ns, n, 50);
	*p99 = (double)pct(ns, n, 99);
	free(ns);
	return median;
}

static double bench_raw_exit(struct hv *hv, unsigned int n, double *p99)
{
	struct vcpu_start st;
	struct kvm_vm vm;
	struct kvm_vcpu c;
	struct kvm_sregs s;
	uint32_t khz;
	int64_t off;
	double median;
	int r;

	r = kvm_vm_create(&hv->kvm, &vm, 4 * MIB);
	if (r < 0)
		fatal("raw VM", -r);
	r = kvm_vcpu_create(&hv->kvm, &vm, 0, &c);
	if (r < 0)
		fatal("raw vCPU", -r);
	c.run->kvm_valid_regs = 0; /* a bare exit: no register transfer */
	loop_image(vm.ram, false);
	loop_start(&st, n);
	if (ioctl(c.fd, KVM_GET_SREGS, &s) < 0)
		fatal("KVM_GET_SREGS", errno);
	s.cs = st.sregs.cs;
	s.ds = s.es = s.ss = s.fs = s.gs = st.sregs.ds;
	s.tr = st.sregs.tr;
	s.cr0 = st.sregs.cr0;
	s.cr3 = st.sregs.cr3;
	s.cr4 = st.sregs.cr4;
	s.efer = st.sregs.efer;
	if (ioctl(c.fd, KVM_SET_SREGS, &s) < 0 || ioctl(c.fd, KVM_SET_REGS, &st.regs) < 0)
		fatal("raw VM state", errno);
	if (kvm_vcpu_tsc_info(&c, &khz, &off) < 0)
		fatal("TSC", EINVAL);
	for (;;) {
		if (ioctl(c.fd, KVM_RUN, 0) < 0)
			fatal("KVM_RUN", errno);
		if (c.run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "hv_bench: raw VM: exit %u\n", c.run->exit_reason);
			exit(1);
		}
		if (c.run->io.port == 0x11)
			break;
	}
	median = loop_results(vm.ram, n, khz, p99);
	kvm_vcpu_destroy(&c);
	kvm_vm_destroy(&vm);
	return median;
}

/* The same loop as a shoji-hv domain: every call is a real xen_version hypercall. */
static double bench_loop_hypercall(struct hv *hv, unsigned int n, double *p99)
{
	struct domain_config cfg = {.memory = 4 * MIB, .nr_vcpus = 1};
	struct domain *d;
	struct vcpu *v0;
	double median;
	int r;

	r = domain_create(hv, &cfg, &d);
	if (r < 0)
		fatal("domain_create", -r);
	v0 = d->vcpus[0];
	loop_image(d->mem.base, true);
	pthread_mutex_lock(&d->lock);
	loop_start(&v0->start, n);
	v0->initialised = true;
	v0->start_pending = true;
	pthread_mutex_unlock(&d->lock);
	if (domain_unpause(d) < 0)
		fatal("unpause", EINVAL);
	for (;;) {
		bool done;

		pthread_mutex_lock(&d->lock);
		done = d->is_shutdown || d->crashed;
		pthread_mutex_unlock(&d->lock);
		if (done)
			break;
		usleep(1000);
	}
	if (d->crashed) {
		fprintf(stderr, "hv_bench: loop domain crashed: %s\n", d->crash_msg);
		exit(1);
	}
	median = loop_results(d->mem.base, n, d->tsc_khz, p99);
	domain_destroy(d);
	domain_put(d);
	return median;
}

static double bench_hypercall(struct hv *hv, const char *guest, unsigned int n, double *p99)
{
	char cmd[64], out[CONSOLE_RING_SIZE + 1];
	uint64_t pos = 0;
	struct domain *d;
	const char *line;
	double median = -1;
	size_t len;

	snprintf(cmd, sizeof(cmd), "n=%u", n);
	d = boot(hv, guest, cmd, 64 * MIB, ~0ULL, NULL, NULL); /* returns when it shuts down */
	pthread_mutex_lock(&d->lock);
	len = console_ring_read(&d->console, &pos, out, CONSOLE_RING_SIZE);
	pthread_mutex_unlock(&d->lock);
	out[len] = '\0';
	line = strstr(out, "hypercall_ns_median=");
	if (!line || sscanf(line, "hypercall_ns_median=%lf p99=%lf", &median, p99) != 2) {
		fprintf(stderr, "hv_bench: no result from %s: %s\n", guest, out);
		exit(1);
	}
	domain_destroy(d);
	domain_put(d);
	return median;
}

static long status_kib(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	return v;
}

static void bench_rss(struct hv *hv, const char *idle, unsigned int n)
{
	struct domain **doms = calloc(n, sizeof(*doms));
	long rss0, shm0, rss1, shm1;
	unsigned int i;

	rss0 = status_kib("VmRSS:");
	shm0 = status_kib("RssShmem:");
	for (i = 0; i < n; i++)
		doms[i] = boot(hv, idle, NULL, 16 * MIB, 8, NULL, NULL); /* up and blocked */
	rss1 = status_kib("VmRSS:");
	shm1 = status_kib("RssShmem:");
	printf("per_domain_overhead_kib: %.1f  (RSS growth %ld KiB for %u idle domains, of which "
	       "guest RAM touched %ld KiB; budget 1024 KiB)\n",
	       (double)((rss1 - rss0) - (shm1 - shm0)) / n, rss1 - rss0, n, shm1 - shm0);
	for (i = 0; i < n; i++) {
		domain_destroy(doms[i]);
		domain_put(doms[i]);
	}
	free(doms);
}

int main(int argc, char **argv)
{
	struct hv *hv;
	const char *env = getenv("HV_BENCH_RUNS");
	unsigned int runs = env ? (unsigned int)atoi(env) : 100;
	double raw, raw99, hc, hc99;
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: hv_bench HELLO BENCH_HYPERCALL_GUEST IDLE_GUEST\n");
		return 2;
	}
	if (runs < 1)
		runs = 1;
	hv = calloc(1, sizeof(*hv));
	if (!hv)
		fatal("calloc", ENOMEM);
	r = hv_init(hv);
	if (r < 0)
		fatal("/dev/kvm", -r);

	bench_create(hv, argv[1], runs, "cold");
	r = domain_pool_start(hv, 64 * MIB, 4);
	if (r < 0)
		fatal("VM pool", -r);
	usleep(100000);
	bench_create(hv, argv[1], runs, "warm_pool");
	vm_pool_stop(&hv->pool);

	raw = bench_raw_exit(hv, 10000, &raw99);
	hc = bench_loop_hypercall(hv, 10000, &hc99);
	printf("hypercall_round_trip_ns: median=%.0f p99=%.0f  raw_kvm_io_exit_ns: median=%.0f "
	       "p99=%.0f  ratio=%.2f (same guest code, timed in the guest; target <= 1.2)\n",
	       hc, hc99, raw, raw99, hc / raw);
	hc = bench_hypercall(hv, argv[2], 10000, &hc99);
	printf("hypercall_round_trip_runtime_ns: median=%.0f p99=%.0f  ratio=%.2f (bench-hypercall "
	       "guest: adds the guest runtime's C wrapper, every instruction emulated)\n",
	       hc, hc99, hc / raw);

	bench_rss(hv, argv[3], 100);
	hv_fini(hv);
	free(hv);
	return 0;
}
