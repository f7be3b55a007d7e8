/* The guest's small platform: port devices and the unclaimed default (see pio.h). */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "console.h"
#include "domain.h"
#include "pio.h"

/*
 * A port device: ports [first, last].  Called with d->lock held and, for a
 * read, a->data preset to all-ones; returns false to leave the access to
 * the unclaimed default (a size the device does not take).
 */
struct pio_device {
	uint16_t first, last;
	bool (*access)(struct domain *d, struct pio_access *a);
};

/* --- CMOS/RTC (MC146818): the host's wall clock in UTC, no interrupts. --- */

static void cmos_reset(struct pio *p)
{
	p->cmos[CMOS_REG_A] = CMOS_A_DEFAULT;
	p->cmos[CMOS_REG_B] = CMOS_B_DEFAULT;
	p->ready = true;
}

static uint8_t to_bcd(unsigned int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Time register @reg for @tm in the format register B asks for (BCD or binary, 12/24 h). */
static uint8_t cmos_time(const struct pio *p, const struct tm *tm, uint8_t reg)
{
	uint8_t b = p->cmos[CMOS_REG_B], pm = 0;
	unsigned int v;

	switch (reg) {
	case CMOS_SECONDS:
		v = (unsigned int)tm->tm_sec % 60; /* a leap second reads as 0 */
		break;
	case CMOS_MINUTES:
		v = (unsigned int)tm->tm_min;
		break;
	case CMOS_HOURS:
		v = (unsigned int)tm->tm_hour;
		if (!(b & CMOS_B_24H)) {
			pm = v >= 12 ? CMOS_HOURS_PM : 0;
			v = v % 12 ? v % 12 : 12;
		}
		break;
	case CMOS_WEEKDAY:
		v = (unsigned int)tm->tm_wday + 1;
		break;
	case CMOS_DAY:
		v = (unsigned int)tm->tm_mday;
		break;
	case CMOS_MONTH:
		v = (unsigned int)tm->tm_mon + 1;
		break;
	case CMOS_YEAR:
		v = (unsigned int)(tm->tm_year + 1900) % 100;
		break;
	default: /* CMOS_CENTURY */
		v = (unsigned int)(tm->tm_year + 1900) / 100 % 100;
		break;
	}
	return (uint8_t)((b & CMOS_B_BINARY ? v : to_bcd(v)) | pm);
}

static bool cmos_is_time(uint8_t reg)
{
	return reg == CMOS_SECONDS || reg == CMOS_MINUTES || reg == CMOS_HOURS ||
	       reg == CMOS_WEEKDAY || reg == CMOS_DAY || reg == CMOS_MONTH || reg == CMOS_YEAR ||
	       reg == CMOS_CENTURY;
}

static uint8_t cmos_read(struct pio *p, uint8_t reg)
{
	struct timespec ts;
	struct tm tm;

	if (reg == CMOS_REG_C)
		return 0; /* no interrupt flags: the RTC raises none */
	if (reg == CMOS_REG_D)
		return CMOS_D_VRT;
	if (reg != CMOS_REG_A && !cmos_is_time(reg))
		return p->cmos[reg];
	if (p->wallclock)
		p->wallclock(&ts);
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	if (reg == CMOS_REG_A) {
		bool uip = ts.tv_nsec >= 1000000000L - (long)CMOS_UIP_NS;

		return (uint8_t)((p->cmos[CMOS_REG_A] & ~CMOS_A_UIP) | (uip ? CMOS_A_UIP : 0));
	}
	gmtime_r(&ts.tv_sec, &tm);
	return cmos_time(p, &tm, reg);
}

/* The time registers follow the host's clock and C and D are read-only: such writes are dropped. */
static void cmos_write(struct pio *p, uint8_t reg, uint8_t val)
{
	if (cmos_is_time(reg) || reg == CMOS_REG_C || reg == CMOS_REG_D)
		return;
	if (reg == CMOS_REG_A)
		val &= (uint8_t)~CMOS_A_UIP;
	p->cmos[reg] = val;
}

/* Port 0x70 selects a register (bit 7 masks NMIs; reads give 0xff), 0x71 reads or writes it. */
static bool cmos_access(struct domain *d, struct pio_access *a)
{
	struct pio *p = &d->pio;

	if (a->size != 1)
		return false; /* as Xen's RTC: byte accesses only */
	if (a->addr == PIO_CMOS_INDEX) {
		if (a->write) {
			p->cmos_index = (uint8_t)(a->data & (CMOS_SIZE - 1));
			p->nmi_masked = a->data & 0x80;
		}
		return true;
	}
	if (a->write)
		cmos_write(p, p->cmos_index, (uint8_t)a->data);
	else
		a->data = cmos_read(p, p->cmos_index);
	return true;
}

/* --- The rest. --- */

/* PCI configuration mechanism #1 with no devices (and 0xcf9's reset ignored); POST codes. */
static bool ignore_access(struct domain *d, struct pio_access *a)
{
	return true;
}

/* Port 0xe9: bytes written go to the domain's console log; a read gives 0xe9 (Bochs). */
static bool debugcon_access(struct domain *d, struct pio_access *a)
{
	char c = (char)a->data;

	if (a->size != 1)
		return false;
	if (a->write)
		console_append(d, &c, 1);
	else
		a->data = PIO_DEBUGCON;
	return true;
}

static const struct pio_device pio_devices[] = {
    {.first = PIO_CMOS_INDEX, .last = PIO_CMOS_DATA, .access = cmos_access},
    {.first = PIO_POST, .last = PIO_POST, .access = ignore_access},
    {.first = PIO_DEBUGCON, .last = PIO_DEBUGCON, .access = debugcon_access},
    {.first = PIO_PCI_FIRST, .last = PIO_PCI_LAST, .access = ignore_access},
};

/* Count one unclaimed access in *@counter; the rate limit says whether to log it. */
static enum pio_log unclaimed(uint64_t *counter, uint64_t *count)
{
	uint64_t n = ++*counter;

	*count = n;
	if (n <= PIO_LOG_FIRST)
		return PIO_LOG_ACCESS;
	return (n & (n - 1)) == 0 ? PIO_LOG_SUMMARY : PIO_LOG_NONE;
}

static uint64_t all_ones(uint8_t size)
{
	return size >= sizeof(uint64_t) ? ~0ULL : (1ULL << (8 * size)) - 1;
}

enum pio_log pio_port(struct domain *d, struct pio_access *a, uint64_t *count)
{
	const struct pio_device *dev = NULL;
	enum pio_log log = PIO_LOG_NONE;
	size_t i;

	*count = 0;
	if (!a->write)
		a->data = all_ones(a->size);
	for (i = 0; i < sizeof(pio_devices) / sizeof(pio_devices[0]); i++)
		if (a->addr >= pio_devices[i].first && a->addr <= pio_devices[i].last)
			dev = &pio_devices[i];
	pthread_mutex_lock(&d->lock);
	if (!d->pio.ready)
		cmos_reset(&d->pio);
	if (!dev || (a->size != 1 && a->size != 2 && a->size != 4) || !dev->access(d, a)) {
		if (!a->write)
			a->data = all_ones(a->size);
		log = unclaimed(&d->pio.unclaimed_ports, count);
	}
	pthread_mutex_unlock(&d->lock);
	return log;
}

enum pio_log pio_mmio(struct domain *d, struct pio_access *a, uint64_t *count)
{
	enum pio_log log;

	if (!a->write)
		a->data = all_ones(a->size);
	pthread_mutex_lock(&d->lock);
	log = unclaimed(&d->pio.unclaimed_mmio, count);
	pthread_mutex_unlock(&d->lock);
	return log;
}
