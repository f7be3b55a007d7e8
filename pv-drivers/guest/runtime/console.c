/*
 * console.c: printf-style output on the console_io hypercall.
 *
 * Formats: %d %i %u %x %X %s %c %p %% with the length modifiers l, ll and z,
 * a field width, '0' padding and '-' left alignment.  A printf call whose
 * output fits in CONSOLE_LINE_MAX bytes is one CONSOLEIO_write, so lines
 * printed by different vCPUs do not interleave; longer output is written in
 * CONSOLE_LINE_MAX chunks.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/xen.h>

#define CONSOLE_LINE_MAX 512

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;   /* characters the full output needs (may exceed size) */
	bool console; /* flush full buffers to the console instead of truncating */
	size_t flushed;
};

static void out_char(struct fmt_out *o, char c)
{
	size_t pos = o->len - o->flushed;

	if (o->console && pos == o->size) {
		console_write(o->buf, o->size);
		o->flushed += o->size;
		pos = 0;
	}
	if (o->console || pos + 1 < o->size)
		o->buf[pos] = c;
	o->len++;
}

/* out_char for @n bytes at once: guest code is slow where KVM emulates it,
 * so literal text goes through one memcpy per buffer, not a call per byte. */
static void out_chars(struct fmt_out *o, const char *s, size_t n)
{
	while (n > 0) {
		size_t pos = o->len - o->flushed, room, k;

		if (o->console && pos == o->size) {
			console_write(o->buf, o->size);
			o->flushed += o->size;
			pos = 0;
		}
		if (o->console)
			room = o->size - pos;
		else
			room = pos + 1 < o->size ? o->size - 1 - pos : 0;
		k = n < room ? n : room;
		memcpy(o->buf + pos, s, k);
		if (!o->console && room == 0)
			k = n; /* snprintf past its buffer: count, store nothing */
		o->len += k;
		s += k;
		n -= k;
	}
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	for (; n > 0; n--)
		out_char(o, c);
}

struct fmt_spec {
	int width;
	bool zero;
	bool left;
};

static void out_str(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		out_pad(o, ' ', pad);
	out_chars(o, s, n);
	if (sp->left)
		out_pad(o, ' ', pad);
}

static void out_num(struct fmt_out *o, const struct fmt_spec *sp, unsigned long long v,
                    unsigned int base, bool upper, bool negative, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0, plen = strlen(prefix);
	int pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	pad = sp->width - (int)(n + plen + (negative ? 1 : 0));
	if (!sp->left && !sp->zero)
		out_pad(o, ' ', pad);
	if (negative)
		out_char(o, '-');
	for (size_t i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (!sp->left && sp->zero)
		out_pad(o, '0', pad);
	while (n > 0)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', pad);
}

/*
 * The first '%' or NUL at or after @s.  Eight bytes per step once aligned
 * (an aligned load never crosses a page), because guest code runs in KVM's
 * emulator on some hosts and printf's literal text is its longest loop.
 */
static const char *literal_end(const char *s)
{
	typedef uint64_t __attribute__((may_alias)) word;
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	const uint64_t percents = ones * '%';

	while (((uintptr_t)s & 7) != 0) {
		if (*s == '\0' || *s == '%')
			return s;
		s++;
	}
	for (;; s += 8) {
		uint64_t w = *(const word *)s, p = w ^ percents;
		/* A zero byte in w (a NUL) or in p (a '%') sets its high bit; bits
		 * above the first such byte may be wrong, the lowest one is not. */
		uint64_t hit = ((w - ones) & ~w & highs) | ((p - ones) & ~p & highs);

		if (hit != 0)
			return s + lowest_bit(hit) / 8;
	}
}

/* Format into o; returns the length of the whole output. */
static int format(struct fmt_out *o, const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		struct fmt_spec sp = {0};
		int lng = 0;

		if (*fmt != '%') {
			const char *end = literal_end(fmt);

			out_chars(o, fmt, (size_t)(end - fmt));
			fmt = end - 1;
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '-')
				sp.left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = 1;
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = lng >= 2   ? va_arg(ap, long long)
			              : lng == 1 ? va_arg(ap, long)
			                         : va_arg(ap, int);
			unsigned long long mag =
			    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

			out_num(o, &sp, mag, 10, false, v < 0, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng >= 2   ? va_arg(ap, unsigned long long)
			                       : lng == 1 ? va_arg(ap, unsigned long)
			                                  : va_arg(ap, unsigned int);

			out_num(o, &sp, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, "");
			break;
		}
		case 'p':
			out_num(o, &sp, (unsigned long)va_arg(ap, void *), 16, false, false, "0x");
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				s = "(null)";
			out_str(o, &sp, s, strlen(s));
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			out_str(o, &sp, &c, 1);
			break;
		}
		case '%':
			out_char(o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop at the NUL */
			break;
		default: /* unknown conversion: print it as is */
			out_char(o, '%');
			out_char(o, *fmt);
			break;
		}
	}
	return (int)o->len;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {.buf = buf, .size = size};
	int n = format(&o, fmt, ap);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void console_write(const char *s, size_t len)
{
	while (len > 0) {
		unsigned int chunk = len > CONSOLE_LINE_MAX ? CONSOLE_LINE_MAX : (unsigned int)len;

		if (hyp_console_io(CONSOLEIO_write, chunk, s) < 0)
			return;
		s += chunk;
		len -= chunk;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	struct fmt_out o = {.buf = line, .size = sizeof(line), .console = true};
	int n = format(&o, fmt, ap);

	console_write(line, o.len - o.flushed);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
