/* The hypervisor context: KVM, the domain table and the event loop (see hv.h). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dom0port.h"
#include "domain.h"
#include "evtglue.h"
#include "hv.h"
#include "log.h"
#include "platform.h"

/* SIGUSR1 only interrupts KVM_RUN (vcpu_kick); the handler has nothing to do. */
static void kick_handler(int sig)
{
	(void)sig;
}

static void drain_wakefd(void *opaque)
{
	struct hv *hv = opaque;
	uint64_t n;

	if (read(hv->wakefd, &n, sizeof(n)) < 0)
		return;
}

int hv_init(struct hv *hv)
{
	struct sigaction sa;
	int r;

	memset(hv, 0, sizeof(*hv));
	hv->epfd = -1;
	hv->wakefd = -1;
	hv->next_domid = 1;
	pthread_mutex_init(&hv->lock, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN must return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;

	r = kvm_host_open(&hv->kvm);
	if (r < 0)
		return r;
	hv->epfd = epoll_create1(EPOLL_CLOEXEC);
	hv->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (hv->epfd < 0 || hv->wakefd < 0) {
		r = -errno;
		hv_fini(hv);
		return r;
	}
	hv->wake_ev.fd = hv->wakefd;
	hv->wake_ev.fn = drain_wakefd;
	hv->wake_ev.opaque = hv;
	r = hv_event_add(hv, &hv->wake_ev);
	if (r == 0)
		r = evtglue_hv_init(hv);
	if (r == 0)
		r = dom0port_hv_init(hv);
	if (r < 0)
		hv_fini(hv);
	return r;
}

void hv_fini(struct hv *hv)
{
	dom0port_hv_fini(hv);
	evtglue_hv_fini(hv);
	vm_pool_stop(&hv->pool);
	if (hv->wakefd >= 0)
		close(hv->wakefd);
	if (hv->epfd >= 0)
		close(hv->epfd);
	hv->wakefd = hv->epfd = -1;
	kvm_host_close(&hv->kvm);
}

struct hv *hv_open(void)
{
	struct hv *hv = calloc(1, sizeof(*hv));
	int r;

	if (!hv) {
		log_warnx("out of memory");
		return NULL;
	}
	r = hv_init(hv);
	if (r < 0) {
		log_warnx("cannot use /dev/kvm: %s", strerror(-r));
		free(hv);
		return NULL;
	}
	return hv;
}

void hv_close(struct hv *hv)
{
	hv_fini(hv);
	free(hv);
}

int hv_event_add(struct hv *hv, struct hv_event *ev)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = ev};

	return epoll_ctl(hv->epfd, EPOLL_CTL_ADD, ev->fd, &e) < 0 ? -errno : 0;
}

int hv_event_want_write(struct hv *hv, struct hv_event *ev, bool on)
{
	struct epoll_event e = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = ev};

	return epoll_ctl(hv->epfd, EPOLL_CTL_MOD, ev->fd, &e) < 0 ? -errno : 0;
}

void hv_event_del(struct hv *hv, struct hv_event *ev)
{
	epoll_ctl(hv->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

int hv_loop(struct hv *hv)
{
	/* One event per wait: a handler may delete other sources (domain destroy). */
	while (!__atomic_load_n(&hv->stop, __ATOMIC_ACQUIRE)) {
		struct epoll_event e;
		int n = epoll_wait(hv->epfd, &e, 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 1) {
			struct hv_event *ev = e.data.ptr;

			ev->fn(ev->opaque);
		}
	}
	return 0;
}

void hv_stop(struct hv *hv)
{
	uint64_t one = 1;

	__atomic_store_n(&hv->stop, true, __ATOMIC_RELEASE);
	if (write(hv->wakefd, &one, sizeof(one)) < 0)
		return;
}

struct domain *hv_domain_get(struct hv *hv, uint32_t domid)
{
	struct domain *d = NULL;

	pthread_mutex_lock(&hv->lock);
	if (domid >= 1 && domid <= HV_DOMID_MAX && hv->domains[domid] &&
	    hv->domains[domid]->ready) {
		d = hv->domains[domid];
		d->refs++;
	}
	pthread_mutex_unlock(&hv->lock);
	return d;
}

void hv_notify_state(struct hv *hv, struct domain *d)
{
	if (hv->on_state)
		hv->on_state(hv->on_state_opaque, d);
}
