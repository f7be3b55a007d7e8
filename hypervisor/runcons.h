/*
 * runcons.h: `shoji-hv run` serves the guest's PV console ring itself, as
 * `xl create -c` shows one: an unbound guest port for Dom0 becomes
 * HVM_PARAM_CONSOLE_EVTCHN, Dom0's end is bound in-process, what the guest
 * puts in the out ring is written to @out_fd and what @in_fd gives is put in
 * the in ring.  Run mode has no xenstore: the store ring
 * (HVM_PARAM_STORE_PFN, with a port made the same way) is served too, and
 * every request gets the error ENOENT, so a guest that looks for devices
 * (GRUB, Linux's xenbus) finds none instead of waiting forever.
 * Everything runs on the event-loop thread.
 */
#ifndef SHOJI_HV_RUNCONS_H
#define SHOJI_HV_RUNCONS_H

struct hv;
struct domain;
struct runcons;

/*
 * Before the guest runs: serve @d's console ring (HVM_PARAM_CONSOLE_PFN)
 * between the guest and @in_fd / @out_fd (an @in_fd that cannot be polled,
 * such as a regular file, gives no input).  0 and *@rc, or -errno.
 */
int runcons_attach(struct hv *hv, struct domain *d, int in_fd, int out_fd, struct runcons **rc);
/* Once the event loop has stopped: unbind and free (NULL: nothing). */
void runcons_detach(struct runcons *rc);

#endif
