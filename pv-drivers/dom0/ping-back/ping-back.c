/*
 * shoji-pingback: the backend of the "ping" example device class, on
 * libshoji-backend.  All the xenbus work (watching backend/ping, the state
 * machine, mapping the ring grant, binding the port, teardown) is the
 * library's; this file is the device: answer each request with value + 1.
 *
 *   shoji-pingback [--xs-socket PATH] [--hv-socket PATH] [--verbose]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <shoji/backend.h>

#include "proto/ping.h"

struct ping_back {
	struct ping_back_ring ring;
	bool broken; /* the frontend produced impossible indexes */
	unsigned long answered;
};

static int ping_connect(struct shoji_backend_dev *dev)
{
	struct ping_back *pb = calloc(1, sizeof(*pb));
	struct ping_sring *s;

	if (!pb)
		return -1;
	s = shoji_backend_dev_map_ring(dev, "ring-ref");
	if (!s || shoji_backend_dev_bind(dev, "event-channel") < 0) {
		free(pb);
		return -1; /* the library unmaps what was mapped */
	}
	BACK_RING_INIT(&pb->ring, s, PING_RING_PAGE);
	shoji_backend_dev_set_priv(dev, pb);
	return 0;
}

static void ping_event(struct shoji_backend_dev *dev)
{
	struct ping_back *pb = shoji_backend_dev_priv(dev);
	int more;

	if (!pb || pb->broken)
		return;
	do {
		RING_IDX rc = pb->ring.req_cons;
		RING_IDX rp = pb->ring.sring->req_prod; /* read once */

		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&pb->ring, rp)) {
			shoji_backend_log(shoji_backend_dev_backend(dev), SHOJI_BACKEND_LOG_WARN,
			                  "%s: impossible request index, device stopped",
			                  shoji_backend_dev_backend_path(dev));
			pb->broken = true;
			return;
		}
		while (rc != rp) {
			struct ping_request req;
			struct ping_response *rsp;

			RING_COPY_REQUEST(&pb->ring, rc, &req); /* one copy: no double fetch */
			pb->ring.req_cons = ++rc;
			rsp = RING_GET_RESPONSE(&pb->ring, pb->ring.rsp_prod_pvt);
			rsp->id = req.id;
			rsp->value = req.value + 1;
			pb->ring.rsp_prod_pvt++;
			pb->answered++;
		}
		RING_PUSH_RESPONSES(&pb->ring);
		shoji_backend_dev_notify(dev);
		RING_FINAL_CHECK_FOR_REQUESTS(&pb->ring, more);
	} while (more);
}

/*
 * The frontend is closing: look at the ring one last time first, so that
 * requests (or garbage) it published just before Closing are not lost to
 * the order in which the xenstore watch and the event arrive.
 */
static void ping_disconnect(struct shoji_backend_dev *dev)
{
	struct ping_back *pb = shoji_backend_dev_priv(dev);

	if (pb) {
		ping_event(dev);
		shoji_backend_log(shoji_backend_dev_backend(dev), SHOJI_BACKEND_LOG_INFO,
		                  "%s: answered %lu pings", shoji_backend_dev_backend_path(dev),
		                  pb->answered);
	}
	free(pb);
	shoji_backend_dev_set_priv(dev, NULL);
}

static const struct shoji_backend_ops ping_ops = {
    .type = "ping",
    .connect = ping_connect,
    .disconnect = ping_disconnect,
    .event = ping_event,
};

static void log_stderr(void *arg, enum shoji_backend_log_level level, const char *msg)
{
	if (level <= SHOJI_BACKEND_LOG_WARN || *(bool *)arg)
		fprintf(stderr, "shoji-pingback: %s\n", msg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	shoji_backend_stop(arg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"xs-socket", required_argument, NULL, 'x'},
	                                         {"hv-socket", required_argument, NULL, 'H'},
	                                         {"verbose", no_argument, NULL, 'v'},
	                                         {NULL, 0, NULL, 0}};
	struct shoji_backend_config cfg = {.log = log_stderr};
	struct shoji_backend *be;
	struct event *sig = NULL;
	bool verbose = false;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'x':
			cfg.xs_socket = optarg;
			break;
		case 'H':
			cfg.hv_socket = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr,
			        "usage: shoji-pingback [--xs-socket PATH] [--hv-socket PATH] "
			        "[--verbose]\n");
			return 2;
		}
	}
	cfg.log_arg = &verbose;
	be = shoji_backend_new(&cfg);
	if (!be)
		return 1;
	sig = evsignal_new(shoji_backend_event_base(be), SIGTERM, on_signal, be);
	if (!sig || evsignal_add(sig, NULL) < 0 || shoji_backend_register(be, &ping_ops) < 0) {
		fprintf(stderr, "shoji-pingback: cannot set up: %s\n", strerror(errno));
		goto out;
	}
	fprintf(stderr, "shoji-pingback: ready\n");
	rc = shoji_backend_run(be) < 0 ? 1 : 0;
out:
	if (sig)
		event_free(sig);
	shoji_backend_free(be);
	return rc;
}
