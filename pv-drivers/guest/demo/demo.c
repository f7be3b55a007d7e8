/*
 * demo: the Shoji demo guest.  On its PV console it prints a banner with
 * its name and domid (read from xenstore), echoes every line typed on the
 * console, acknowledges control/shutdown ("poweroff", "reboot", "halt")
 * and follows memory/target as a balloon: pages above the target are given
 * back with XENMEM_decrease_reservation and repopulated when the target
 * rises.  Without a store ring it still talks on the PV console; without a
 * PV console it falls back to console_io.
 */
#include "shoji-guest.h"

#include <shoji/hvm.h>
#include <shoji/memory.h>
#include <shoji/sched.h>

#define BATCH     512 /* extents per memory_op call */
#define LINE_MAX_ 256

struct demo {
	bool have_xs, have_con;
	volatile bool xs_kick, con_kick;
	char name[64];
	unsigned int domid;
	char line[LINE_MAX_];
	size_t line_len;
	/* Balloon: pages [top - ballooned, top) are given back. */
	uint64_t top;       /* first frame above the balloon area */
	uint64_t floor;     /* the balloon never goes below this frame */
	uint64_t ballooned; /* pages given back */
	uint64_t skip[2];   /* store and console frames: never ballooned */
};

static struct demo demo;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (demo.have_con && pvcons_write(buf, (size_t)n) >= 0)
		return;
	console_write(buf, (size_t)n);
}

static uint64_t param(uint32_t index)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};

	return hyp_hvm_op(HVMOP_get_param, &p) == 0 ? p.value : 0;
}

static void on_kick(evtchn_port_t port, void *arg)
{
	*(volatile bool *)arg = true;
}

static bool kicked(void *arg)
{
	return demo.xs_kick || demo.con_kick;
}

/* --- balloon --- */

/*
 * The balloon area is [floor, top): top is the end of RAM or the lowest
 * store/console frame in the upper half of RAM, whichever is lower, so
 * those frames are never given back.  Pages leave from the top down.
 */
static void balloon_init(const struct hvm_start_info *si)
{
	extern char _end[];
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t ram_top = 0;
	uint64_t special[2] = {param(HVM_PARAM_STORE_PFN), param(HVM_PARAM_CONSOLE_PFN)};

	for (unsigned int i = 0; i < si->memmap_entries; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && map[i].addr + map[i].size > ram_top)
			ram_top = map[i].addr + map[i].size;
	demo.top = ram_top >> 12;
	/* Keep the image and its heap (1 MiB of slack above the image). */
	demo.floor = (((uintptr_t)_end + 0xfffff) >> 12) + 256;
	/* The boot data shoji-hv places at the top of RAM (start_info, command line, ...). */
	uint64_t boot[4] = {(uintptr_t)si >> 12, si->cmdline_paddr >> 12, si->memmap_paddr >> 12,
	                    si->modlist_paddr >> 12};

	for (unsigned int i = 0; i < 2; i++)
		if (special[i] >= demo.top / 2 && special[i] < demo.top)
			demo.top = special[i];
	for (unsigned int i = 0; i < 4; i++)
		if (boot[i] >= demo.floor && boot[i] < demo.top)
			demo.top = boot[i];
	if (si->nr_modules > 0) /* an initrd sits at the top of RAM: leave the balloon out */
		demo.top = demo.floor;
	if (demo.top < demo.floor)
		demo.top = demo.floor;
}

/* Give back (@give) or repopulate @n pages at the balloon's edge; how many moved. */
static uint64_t balloon_move(uint64_t n, bool give)
{
	static xen_pfn_t frames[BATCH];
	uint64_t done = 0;

	while (done < n) {
		struct xen_memory_reservation r = {.domid = DOMID_SELF};
		uint64_t edge = demo.top - demo.ballooned; /* first ballooned frame */
		unsigned int k = 0;
		long rc;

		for (; k < BATCH && done + k < n; k++)
			frames[k] = give ? edge - 1 - k : edge + k;
		set_xen_guest_handle(r.extent_start, frames);
		r.nr_extents = k;
		rc =
		    hyp_memory_op(give ? XENMEM_decrease_reservation : XENMEM_populate_physmap, &r);
		if (rc > 0) {
			done += (uint64_t)rc;
			if (give)
				demo.ballooned += (uint64_t)rc;
			else
				demo.ballooned -= (uint64_t)rc;
		}
		if (rc < (long)k) {
			out("demo: balloon %s stopped: rc=%ld\n", give ? "decrease" : "increase",
			    rc);
			break;
		}
	}
	return done;
}

/* Follow memory/target (KiB). */
static void balloon_target(void)
{
	char buf[32];
	const char *end;
	domid_t self = DOMID_SELF;
	uint64_t target, cur;
	long pages;

	if (xs_read("memory/target", buf, sizeof(buf)) <= 0)
		return;
	target = strtoul_simple(buf, &end) / 4;
	if (*end != '\0' || target == 0)
		return;
	pages = hyp_memory_op(XENMEM_current_reservation, &self);
	if (pages <= 0)
		return;
	cur = (uint64_t)pages;
	if (cur > target) {
		uint64_t room = demo.top - demo.ballooned - demo.floor;
		uint64_t want = cur - target;

		balloon_move(want < room ? want : room, true);
	} else if (cur < target && demo.ballooned > 0) {
		uint64_t want = target - cur;

		balloon_move(want < demo.ballooned ? want : demo.ballooned, false);
	}
	pages = hyp_memory_op(XENMEM_current_reservation, &self);
	out("demo: balloon target=%lu KiB current=%ld KiB\n", (unsigned long)target * 4, pages * 4);
}

/* --- control/shutdown --- */

static void shutdown_request(void)
{
	static const struct {
		const char *word;
		unsigned int reason;
	} words[] = {
	    {"poweroff", SHUTDOWN_poweroff},
	    {"halt", SHUTDOWN_poweroff},
	    {"reboot", SHUTDOWN_reboot},
	};
	char buf[32];

	if (xs_read("control/shutdown", buf, sizeof(buf)) <= 0)
		return;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(buf, words[i].word) != 0)
			continue;
		/* Acknowledge as Xen guests do: empty the node, then go. */
		xs_write("control/shutdown", "");
		out("demo: %s requested, shutting down\n", buf);
		shutdown(words[i].reason);
	}
	out("demo: ignoring control/shutdown '%s'\n", buf);
}

static void xs_events(void)
{
	char path[128], token[16];

	while (xs_read_watch(path, sizeof(path), token, sizeof(token), 1) == 0) {
		if (strcmp(token, "shutdown") == 0)
			shutdown_request();
		else if (strcmp(token, "balloon") == 0)
			balloon_target();
	}
}

/* --- console input --- */

static void console_input(void)
{
	char buf[128];
	long n;

	while ((n = pvcons_read(buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) {
			char c = buf[i];

			if (c == '\r' || c == '\n') {
				demo.line[demo.line_len] = '\0';
				if (demo.line_len > 0)
					out("echo: %s\n", demo.line);
				demo.line_len = 0;
			} else if (demo.line_len + 1 < sizeof(demo.line)) {
				demo.line[demo.line_len++] = c;
			}
		}
	}
}

static void read_identity(void)
{
	char buf[16];
	const char *end;

	demo.domid = xen_get_info()->domid;
	snprintf(demo.name, sizeof(demo.name), "(unknown)");
	if (!demo.have_xs)
		return;
	if (xs_read("name", demo.name, sizeof(demo.name)) < 0)
		snprintf(demo.name, sizeof(demo.name), "(unknown)");
	if (xs_read("domid", buf, sizeof(buf)) > 0) {
		unsigned long v = strtoul_simple(buf, &end);

		if (*end == '\0')
			demo.domid = (unsigned int)v;
	}
}

int guest_main(const struct hvm_start_info *si)
{
	long rc = evtchn_init();

	if (rc != 0) {
		printf("demo: event channels unavailable rc=%ld\n", rc);
		return 1;
	}
	demo.have_con = pvcons_init() == 0;
	if (demo.have_con)
		evtchn_set_handler((evtchn_port_t)param(HVM_PARAM_CONSOLE_EVTCHN), on_kick,
		                   (void *)&demo.con_kick);
	demo.have_xs = xs_init() == 0;
	if (demo.have_xs)
		evtchn_set_handler((evtchn_port_t)param(HVM_PARAM_STORE_EVTCHN), on_kick,
		                   (void *)&demo.xs_kick);
	balloon_init(si);
	read_identity();
	printf("demo: pv-console=%s xenstore=%s\n", demo.have_con ? "yes" : "no",
	       demo.have_xs ? "yes" : "no");
	out("Shoji demo guest\nname=%s domid=%u\n", demo.name, demo.domid);
	if (demo.have_xs && (xs_watch("control/shutdown", "shutdown") < 0 ||
	                     xs_watch("memory/target", "balloon") < 0))
		out("demo: cannot watch xenstore\n");
	if (!demo.have_con && !demo.have_xs) {
		out("demo: nothing to serve without a PV console or xenstore\n");
		return 0;
	}
	out("demo: ready\n");
	for (;;) {
		evtchn_wait(kicked, NULL, 0);
		demo.xs_kick = false;
		demo.con_kick = false;
		if (demo.have_xs)
			xs_events();
		if (demo.have_con)
			console_input();
	}
}
