/*
 * tap.c: TAP devices and bridge ports through ioctls (see tap.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

static int fail(char *err, size_t errlen, const char *fmt, const char *name)
{
	int e = errno;

	if (err)
		snprintf(err, errlen, fmt, name, strerror(e));
	errno = e;
	return -1;
}

int tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr = {0};
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return fail(err, errlen, "interface name %s: %s", name);
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: cannot open /dev/net/tun: %s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		fail(err, errlen, "cannot create TAP %s: %s", name);
		close(fd);
		return -1;
	}
	return fd;
}

int tap_setup(const char *name, const char *bridge, char *err, size_t errlen)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (s < 0)
		return fail(err, errlen, "%s: no socket: %s", name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memset(ifr.ifr_hwaddr.sa_data, 0xff, 6);
	ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) {
		fail(err, errlen, "%s: cannot set its MAC address: %s", name);
		goto out;
	}
	if (bridge && *bridge) {
		struct ifreq br = {0};

		/* EBUSY: a bridge port already (a restarted backend's TAP) */
		br.ifr_ifindex = (int)if_nametoindex(name);
		snprintf(br.ifr_name, sizeof(br.ifr_name), "%s", bridge);
		if (br.ifr_ifindex == 0 || (ioctl(s, SIOCBRADDIF, &br) < 0 && errno != EBUSY)) {
			snprintf(err, errlen, "cannot add %s to bridge %s: %s", name, bridge,
			         strerror(errno));
			goto out;
		}
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto flags;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto flags;
	rc = 0;
	goto out;
flags:
	fail(err, errlen, "%s: cannot bring it up: %s", name);
out:
	close(s);
	return rc;
}

int tap_set_offload(int fd, unsigned int tun_flags)
{
	return ioctl(fd, TUNSETOFFLOAD, tun_flags);
}

int tap_set_carrier(int fd, const char *name, bool on)
{
	struct ifreq ifr = {0};
	int v = on, s, rc;

	if (ioctl(fd, TUNSETCARRIER, &v) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags =
		    on ? (short)(ifr.ifr_flags | IFF_UP) : (short)(ifr.ifr_flags & ~IFF_UP);
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return rc;
}

void tap_destroy(int fd)
{
	if (fd < 0)
		return;
	ioctl(fd, TUNSETPERSIST, 0);
	close(fd);
}
