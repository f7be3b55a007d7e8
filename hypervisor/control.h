/* The daemon side of the control socket (protocol: include/proto/hv-ctrl.h). */
#ifndef SHOJI_HV_CONTROL_H
#define SHOJI_HV_CONTROL_H

#include <stdbool.h>

#include <stdint.h>

struct control_options {
	const char *socket_path;
	bool detach;          /* fork into the background once listening */
	unsigned int pool;    /* pre-built VMs to keep ready (0 = none) */
	uint64_t pool_memory; /* their RAM size in bytes */
};

/*
 * Serve the control socket (mode 0600) until SIGTERM/SIGINT/SIGHUP, then
 * destroy every domain and remove the socket.  Returns the exit status.
 */
int control_main(const struct control_options *o);

#endif
