/*
 * Domain build and teardown.  dom_build runs the steps below in order and,
 * when one fails, undoes the ones before it in reverse, so that a failed
 * create leaves nothing in shoji-hv, xenstore or the state directory:
 *
 *   disk and interface checks -> create (shoji-hv) -> load kernel (boot.c) -> store and
 *   console pages and ports (HVM params) -> xenstore layout, disks and vifs ->
 *   INTRODUCE -> running record -> unpause
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/hvm.h>

#include "shojid.h"

/* A ring the toolstack wires up: its HVM params (the page is shoji-hv's). */
struct ring_param {
	const char *what;
	uint32_t pfn_param, evtchn_param;
};

/* shoji-hv reserves both pages when it loads the kernel (the special pages
 * at the top of the domain's memory, reserved in its memory map). */
static const struct ring_param store_ring = {"xenstore", HVM_PARAM_STORE_PFN,
                                             HVM_PARAM_STORE_EVTCHN};
static const struct ring_param console_ring = {"console", HVM_PARAM_CONSOLE_PFN,
                                               HVM_PARAM_CONSOLE_EVTCHN};

/*
 * Give domid a ring: the page shoji-hv reserved, then allocate the guest's unbound port for Dom0 (xc_evtchn_alloc_unbound) and
 * record both in the HVM params the guest reads.
 */
static int setup_ring(struct shojid *sd, uint32_t domid, const struct ring_param *r,
                      uint64_t *gfn_out, uint64_t *port_out, struct sd_err *e)
{
	uint64_t gfn = 0;
	int port;

	if (shoji_ctrl_get_param(sd->hv, domid, r->pfn_param, &gfn) < 0)
		return sd_fail(e, errno, "shoji-hv: cannot read the %s page: %s", r->what,
		               strerror(errno));
	if (gfn == 0)
		return sd_fail(e, EPROTO, "shoji-hv reserved no %s page (too old?)", r->what);
	port = shoji_evtchn_alloc_unbound_in(sd->evtchn, domid, 0);
	if (port < 0)
		return sd_fail(e, errno, "shoji-hv: cannot allocate the %s event channel: %s",
		               r->what, strerror(errno));
	if (shoji_ctrl_set_param(sd->hv, domid, r->evtchn_param, (uint64_t)port) < 0)
		return sd_fail(e, errno, "shoji-hv: cannot set the %s event channel: %s", r->what,
		               strerror(errno));
	if (gfn_out)
		*gfn_out = gfn;
	if (port_out)
		*port_out = (uint64_t)port;
	return 0;
}

int dom_build(struct shojid *sd, struct domain_config *cfg, bool paused, const struct sd_boot *boot,
              struct sd_dom **out, struct sd_err *e)
{
	struct shoji_domain_config hc = {.vcpus = cfg->vcpus};
	struct sd_dom *dom = NULL;
	struct timespec now;
	bool created = false, introduced = false, laid_out = false, recorded = false;
	uint64_t store_pfn = 0, store_port = 0;
	int rc;

	if (dom_name_taken(sd, cfg->name)) {
		struct sd_dom *other = dom_find(sd, cfg->name);

		return sd_fail(e, EEXIST, "a domain named '%s' already exists (domid %" PRIu32 ")",
		               cfg->name, other->domid);
	}
	rc = block_check_config(sd, cfg, e);
	if (!rc)
		rc = net_check_config(sd, cfg, API_DOMID_NONE, e);
	if (rc)
		return rc;
	hc.memory_kib = cfg->memory_kib; /* KiB from the XML to shoji-hv, unconverted */
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return sd_fail(e, ENOMEM, "out of memory");
	/* The domain takes cfg over; the caller's copy is left empty. */
	dom->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	cfg = &dom->cfg;
	hc.name = cfg->name;
	memcpy(hc.uuid, cfg->uuid, sizeof(hc.uuid));
	snprintf(dom->name, sizeof(dom->name), "%s", cfg->name);
	dom->target_kib = cfg->current_memory_kib;
	dom->owner = boot ? boot->owner : (struct sd_cred){geteuid(), getegid()};
	clock_gettime(CLOCK_REALTIME, &now);
	dom->start_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;

	if (shoji_ctrl_create(sd->hv, &hc, &dom->domid) < 0) {
		rc = errno;
		if (rc == EINVAL)
			sd_fail(e, rc,
			        "shoji-hv refused the domain: %" PRIu64
			        " KiB of memory and %u vCPUs exceed its limits (at most %llu KiB "
			        "and %d vCPUs)",
			        hc.memory_kib, hc.vcpus, SHOJI_DOMAIN_MEMORY_MAX_KIB,
			        SHOJI_DOMAIN_VCPUS_MAX);
		else
			sd_fail(e, rc, "shoji-hv cannot create the domain: %s", strerror(rc));
		goto fail;
	}
	created = true;
	rc = boot_load(sd, dom, boot, e);
	if (rc)
		goto fail;
	rc = setup_ring(sd, dom->domid, &store_ring, &store_pfn, &store_port, e);
	if (!rc)
		rc = setup_ring(sd, dom->domid, &console_ring, NULL, NULL, e);
	if (rc)
		goto fail;
	laid_out = true; /* a partial layout is removed too */
	rc = xs_layout_write(sd, dom, e);
	if (!rc)
		rc = block_write_all(sd, dom, e);
	if (!rc)
		rc = net_write_all(sd, dom, e);
	if (rc)
		goto fail;
	if (shoji_xs_introduce(sd->xs, dom->domid, store_pfn, (uint32_t)store_port) < 0) {
		rc = errno;
		sd_fail(e, rc, "xenstore: cannot introduce domain %" PRIu32 ": %s", dom->domid,
		        strerror(rc));
		goto fail;
	}
	introduced = true;
	if (state_save_record(sd, dom) < 0) {
		rc = errno;
		sd_fail(e, rc, "cannot write the domain's record in %s: %s", sd->state_dir,
		        strerror(rc));
		goto fail;
	}
	recorded = true;
	if (!paused && shoji_ctrl_unpause(sd->hv, dom->domid) < 0) {
		rc = errno;
		sd_fail(e, rc, "shoji-hv cannot start domain %" PRIu32 ": %s", dom->domid,
		        strerror(rc));
		goto fail;
	}
	dom_link(sd, dom);
	*out = dom;
	sd_emit(sd, API_EV_CREATED, dom->domid, API_DOMID_NONE, 0, dom->name);
	return 0;
fail:
	if (recorded)
		state_remove_record(sd, dom->domid);
	if (laid_out || introduced)
		xs_layout_remove(sd, dom->domid);
	if (created && shoji_ctrl_destroy(sd->hv, dom->domid) < 0)
		log_warnx("cannot destroy the half-built domain %" PRIu32 ": %s", dom->domid,
		          strerror(errno));
	dom_free(dom);
	return rc;
}

void dom_teardown(struct shojid *sd, struct sd_dom *dom)
{
	if (shoji_ctrl_destroy(sd->hv, dom->domid) < 0 && errno != ESRCH)
		log_warnx("cannot destroy domain %" PRIu32 ": %s", dom->domid, strerror(errno));
	xs_layout_remove(sd, dom->domid);
	state_remove_record(sd, dom->domid);
	dom_unlink(sd, dom);
	sd_emit(sd, API_EV_DESTROYED, dom->domid, API_DOMID_NONE, 0, dom->name);
	dom_free(dom);
}
