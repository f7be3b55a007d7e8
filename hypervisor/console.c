/* console_io and port 0xe9 (pio.c): guest output to the domain ring (and stdout in run mode). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "domain.h"
#include "hvtime.h"
#include "hypercall.h"
#include "vcpu.h"

#define CONSOLE_CHUNK     1024
#define CONSOLE_MAX_WRITE (1u << 20) /* bytes per hypercall */

void console_ring_put(struct console_ring *r, const char *data, size_t len)
{
	const size_t mask = CONSOLE_RING_SIZE - 1;

	if (r->prod == 0 && len > 0)
		r->first_ns = time_mono_ns();
	if (len > CONSOLE_RING_SIZE) {
		r->prod += len - CONSOLE_RING_SIZE;
		data += len - CONSOLE_RING_SIZE;
		len = CONSOLE_RING_SIZE;
	}
	while (len > 0) {
		size_t at = r->prod & mask;
		size_t n = CONSOLE_RING_SIZE - at;

		if (n > len)
			n = len;
		memcpy(r->buf + at, data, n);
		r->prod += n;
		data += n;
		len -= n;
	}
}

size_t console_ring_read(const struct console_ring *r, uint64_t *pos, char *out, size_t max)
{
	const size_t mask = CONSOLE_RING_SIZE - 1;
	uint64_t oldest = r->prod > CONSOLE_RING_SIZE ? r->prod - CONSOLE_RING_SIZE : 0;
	size_t done = 0;

	if (*pos < oldest)
		*pos = oldest;
	if (*pos > r->prod)
		*pos = r->prod;
	while (done < max && *pos < r->prod) {
		size_t at = *pos & mask;
		size_t n = CONSOLE_RING_SIZE - at;

		if (n > max - done)
			n = max - done;
		if (n > r->prod - *pos)
			n = r->prod - *pos;
		memcpy(out + done, r->buf + at, n);
		done += n;
		*pos += n;
	}
	return done;
}

/* Write all of @buf to stdout, unchanged. */
static void write_stdout(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void console_append(struct domain *d, const char *data, size_t len)
{
	console_ring_put(&d->console, data, len);
	if (d->console_stdout)
		write_stdout(data, len);
}

static long console_write(struct vcpu *v, uint32_t count, uint64_t buffer)
{
	struct domain *d = v->d;
	char chunk[CONSOLE_CHUNK];
	uint32_t done = 0;

	if (count > CONSOLE_MAX_WRITE)
		return -XEN_EINVAL;
	while (done < count) {
		uint32_t n = count - done;
		int r;

		if (n > sizeof(chunk))
			n = sizeof(chunk);
		r = copy_from_guest(v, chunk, buffer + done, n);
		if (r < 0)
			return r;
		pthread_mutex_lock(&d->lock);
		console_append(d, chunk, n);
		pthread_mutex_unlock(&d->lock);
		done += n;
	}
	return 0;
}

long do_console_io(struct vcpu *v, const uint64_t a[5])
{
	switch ((uint32_t)a[0]) {
	case CONSOLEIO_write:
		return console_write(v, (uint32_t)a[1], a[2]);
	case CONSOLEIO_read:
		return -XEN_EPERM; /* Dom0's console only */
	default:
		return -XEN_ENOSYS;
	}
}
