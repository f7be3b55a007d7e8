/*
 * A control request handler: one entry of control.c's ctrl_ops table
 * (dom0port.c serves the CTRL_EVTCHN and CTRL_GNTTAB ops).  The dispatcher
 * has decoded the request once: its type (and op, for a family of requests)
 * picked the entry and its size was checked against the entry's struct.  The
 * handler validates the rest of @req before acting and fills @reply, the
 * reply body (zeroed, or a copy of the request for the entries that answer
 * with the request's own struct).
 *
 * @client is the connection the request came on: what a client binds, maps
 * or creates is its own, and goes when it disconnects.  A handler that
 * passes a descriptor with the reply stores it in *@pass_fd (sent only with
 * status 0; the dispatcher closes its copy).  Returns 0 or -errno, the
 * reply's status.
 */
#ifndef SHOJI_HV_CTRLOP_H
#define SHOJI_HV_CTRLOP_H

struct ctrl_client;
struct hv;

/*
 * Take descriptor @i (0-based) of those that came with @client's request
 * being handled (SCM_RIGHTS): the handler owns it from then on.  -1 when the
 * request brought fewer.  The dispatcher closes the ones no handler took.
 */
int ctrl_client_take_fd(struct ctrl_client *client, unsigned int i);

typedef int ctrl_fn(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                    int *pass_fd);

#endif
