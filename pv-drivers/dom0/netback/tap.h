/*
 * tap.h - the host side of a vif: a TAP device (IFF_TAP, IFF_NO_PI,
 * IFF_VNET_HDR, IFF_MULTI_QUEUE) named like Xen's vifDOMID.DEVID, kept
 * persistent so that it outlives a restart of shoji-netback (which then
 * attaches to it again), optionally a port of a Linux bridge.
 *
 * Every frame read or written through a queue's fd starts with a struct
 * virtio_net_hdr (10 bytes).  Calls return 0 (or an fd) or -1 with errno
 * and, where there is an @err, a one-line reason in it.
 */
#ifndef NETBACK_TAP_H
#define NETBACK_TAP_H

#include <stdbool.h>
#include <stddef.h>

#define TAP_VNET_HDR_LEN 10

/* Create TAP @name or attach one more queue to it: a non-blocking fd. */
int tap_open(const char *name, char *err, size_t errlen);
/*
 * Set TAP @name up: its MAC fe:ff:ff:ff:ff:ff (as Xen's vif scripts, so a
 * bridge never takes it for its own), a port of @bridge (NULL or "": none;
 * nothing when it is a bridge's port already), link up.
 */
int tap_setup(const char *name, const char *bridge, char *err, size_t errlen);
/* What frames read from the TAP may carry: TUN_F_* (checksum, TSO). */
int tap_set_offload(int fd, unsigned int tun_flags);
/* Carrier on or off (TUNSETCARRIER; link up/down on kernels without it). */
int tap_set_carrier(int fd, const char *name, bool on);
/* Make the TAP of @fd non-persistent and close @fd: the device goes with its last fd. */
void tap_destroy(int fd);

#endif
