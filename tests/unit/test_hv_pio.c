/*
 * test_hv_pio: the guest's small platform (pio.c) driven directly, on the
 * fake platform: the CMOS/RTC against the host's clock, PCI configuration
 * all-ones, port 0x80, the 0xe9 debug console into the console log, the
 * unclaimed default for ports and MMIO, and its rate-limited logging.
 */
#include "config.h"

#include <check.h>
#include <string.h>
#include <time.h>

#include "check-run.h"
#include "pio.h"
#include "test_hv_platform.h"

static struct domain *d;

static void setup(void)
{
	d = fake_domain_new(1 << 20, 1);
}

static void teardown(void)
{
	fake_domain_free(d);
}

/* One port access; returns what was read (or 0 for a write), checks it was claimed. */
static uint64_t port(uint16_t addr, uint8_t size, bool write, uint64_t val)
{
	struct pio_access a = {.addr = addr, .size = size, .write = write, .data = val};
	uint64_t count = ~0ULL;

	ck_assert_int_eq(pio_port(d, &a, &count), PIO_LOG_NONE);
	ck_assert_uint_eq(count, 0);
	return write ? 0 : a.data;
}

static uint8_t cmos(uint8_t reg)
{
	port(PIO_CMOS_INDEX, 1, true, reg);
	return (uint8_t)port(PIO_CMOS_DATA, 1, false, 0);
}

static void cmos_set(uint8_t reg, uint8_t val)
{
	port(PIO_CMOS_INDEX, 1, true, reg);
	port(PIO_CMOS_DATA, 1, true, val);
}

/* A BCD byte's value; fails on a nibble above 9. */
static int from_bcd(uint8_t v)
{
	ck_assert_msg((v >> 4) <= 9 && (v & 15) <= 9, "0x%02x is not BCD", v);
	return (v >> 4) * 10 + (v & 15);
}

/* The RTC's registers read as one date (BCD, 24-hour: register B's defaults) and *@wday. */
static time_t cmos_date(struct tm *tm, int *wday)
{
	memset(tm, 0, sizeof(*tm));
	*wday = from_bcd(cmos(CMOS_WEEKDAY)) - 1;
	tm->tm_sec = from_bcd(cmos(CMOS_SECONDS));
	tm->tm_min = from_bcd(cmos(CMOS_MINUTES));
	tm->tm_hour = from_bcd(cmos(CMOS_HOURS));
	tm->tm_mday = from_bcd(cmos(CMOS_DAY));
	tm->tm_mon = from_bcd(cmos(CMOS_MONTH)) - 1;
	tm->tm_year = from_bcd(cmos(CMOS_CENTURY)) * 100 + from_bcd(cmos(CMOS_YEAR)) - 1900;
	return timegm(tm);
}

/* The CMOS clock is the host's UTC time, in BCD, within a second. */
START_TEST(test_cmos_host_time)
{
	time_t before, after, rtc;
	struct tm tm, host;
	int tries, wday = -1;

	for (tries = 0; tries < 3; tries++) {
		before = time(NULL);
		rtc = cmos_date(&tm, &wday);
		after = time(NULL);
		if (before == after)
			break; /* no second boundary in between */
	}
	ck_assert_msg(rtc >= before - 1 && rtc <= after + 1, "RTC %lld, host %lld..%lld",
	              (long long)rtc, (long long)before, (long long)after);
	gmtime_r(&rtc, &host);
	ck_assert_int_eq(wday, host.tm_wday); /* register 6: 1 = Sunday */
}
END_TEST

/* Status registers: A 32.768 kHz/1024 Hz, B BCD + 24 h, C no flags, D valid; index reads 0xff. */
START_TEST(test_cmos_status_defaults)
{
	ck_assert_uint_eq(cmos(CMOS_REG_A) & ~CMOS_A_UIP, CMOS_A_DEFAULT);
	ck_assert_uint_eq(cmos(CMOS_REG_B), CMOS_B_24H);
	ck_assert_uint_eq(cmos(CMOS_REG_C), 0);
	ck_assert_uint_eq(cmos(CMOS_REG_D), CMOS_D_VRT);
	ck_assert_uint_eq(port(PIO_CMOS_INDEX, 1, false, 0), 0xff);
}
END_TEST

static struct timespec fake_now;

static void fake_clock(struct timespec *ts)
{
	*ts = fake_now;
}

/* 2024-03-09 (a Saturday) at @h:@m:@s UTC, @ns into the second. */
static void set_clock(int h, int m, int s, long ns)
{
	fake_now.tv_sec = 1709942400 + h * 3600 + m * 60 + s;
	fake_now.tv_nsec = ns;
}

/* UIP is set only in the last 244 us of a second: a guest waiting for it to clear never hangs. */
START_TEST(test_cmos_uip_never_stuck)
{
	int spins;

	d->pio.wallclock = fake_clock;
	set_clock(10, 0, 0, 999800000);
	ck_assert(cmos(CMOS_REG_A) & CMOS_A_UIP);
	set_clock(10, 0, 1, 0);
	ck_assert(!(cmos(CMOS_REG_A) & CMOS_A_UIP));
	set_clock(10, 0, 1, 500000000);
	ck_assert(!(cmos(CMOS_REG_A) & CMOS_A_UIP));
	set_clock(10, 0, 1, 999755000);
	ck_assert(!(cmos(CMOS_REG_A) & CMOS_A_UIP));
	/* a write cannot set it */
	cmos_set(CMOS_REG_A, 0xa6);
	ck_assert_uint_eq(cmos(CMOS_REG_A), CMOS_A_DEFAULT);

	/* on the host's clock, a guest's wait loop ends */
	d->pio.wallclock = NULL;
	for (spins = 0; spins < 1000000 && (cmos(CMOS_REG_A) & CMOS_A_UIP); spins++)
		continue;
	ck_assert_int_lt(spins, 1000000);
}
END_TEST

/* Register B's formats: binary and 12-hour (PM in bit 7, 12 for noon and midnight). */
START_TEST(test_cmos_formats)
{
	d->pio.wallclock = fake_clock;
	set_clock(15, 4, 5, 0);
	ck_assert_uint_eq(cmos(CMOS_HOURS), 0x15);
	ck_assert_uint_eq(cmos(CMOS_MINUTES), 0x04);
	ck_assert_uint_eq(cmos(CMOS_SECONDS), 0x05);
	ck_assert_uint_eq(cmos(CMOS_DAY), 0x09);
	ck_assert_uint_eq(cmos(CMOS_MONTH), 0x03);
	ck_assert_uint_eq(cmos(CMOS_YEAR), 0x24);
	ck_assert_uint_eq(cmos(CMOS_CENTURY), 0x20);
	ck_assert_uint_eq(cmos(CMOS_WEEKDAY), 7);

	cmos_set(CMOS_REG_B, 0); /* BCD, 12-hour */
	ck_assert_uint_eq(cmos(CMOS_HOURS), CMOS_HOURS_PM | 0x03);
	set_clock(0, 30, 0, 0);
	ck_assert_uint_eq(cmos(CMOS_HOURS), 0x12);
	set_clock(12, 0, 0, 0);
	ck_assert_uint_eq(cmos(CMOS_HOURS), CMOS_HOURS_PM | 0x12);

	cmos_set(CMOS_REG_B, CMOS_B_BINARY | CMOS_B_24H);
	set_clock(23, 59, 58, 0);
	ck_assert_uint_eq(cmos(CMOS_REG_B), CMOS_B_BINARY | CMOS_B_24H);
	ck_assert_uint_eq(cmos(CMOS_HOURS), 23);
	ck_assert_uint_eq(cmos(CMOS_MINUTES), 59);
	ck_assert_uint_eq(cmos(CMOS_SECONDS), 58);
	ck_assert_uint_eq(cmos(CMOS_YEAR), 24);
	ck_assert_uint_eq(cmos(CMOS_CENTURY), 20);
	cmos_set(CMOS_REG_B, CMOS_B_BINARY);
	ck_assert_uint_eq(cmos(CMOS_HOURS), CMOS_HOURS_PM | 11);
}
END_TEST

/* Writes: the clock and C/D are read-only, the RAM keeps bytes, bit 7 of the index masks NMIs. */
START_TEST(test_cmos_writes)
{
	struct pio_access a = {.addr = PIO_CMOS_DATA, .size = 2};
	uint64_t count;

	d->pio.wallclock = fake_clock;
	set_clock(8, 9, 10, 0);
	cmos_set(CMOS_SECONDS, 0x59);
	cmos_set(CMOS_HOURS, 0x01);
	cmos_set(CMOS_REG_C, 0xff);
	cmos_set(CMOS_REG_D, 0);
	ck_assert_uint_eq(cmos(CMOS_SECONDS), 0x10);
	ck_assert_uint_eq(cmos(CMOS_HOURS), 0x08);
	ck_assert_uint_eq(cmos(CMOS_REG_C), 0);
	ck_assert_uint_eq(cmos(CMOS_REG_D), CMOS_D_VRT);

	port(PIO_CMOS_INDEX, 1, true, 0x80 | 0x40);
	ck_assert(d->pio.nmi_masked);
	port(PIO_CMOS_DATA, 1, true, 0x5a);
	ck_assert_uint_eq(cmos(0x40), 0x5a);
	ck_assert(!d->pio.nmi_masked);
	ck_assert_uint_eq(cmos(0x7f), 0);

	/* wider accesses are not the RTC's (as on Xen): the unclaimed default */
	ck_assert_int_eq(pio_port(d, &a, &count), PIO_LOG_ACCESS);
	ck_assert_uint_eq(a.data, 0xffff);
	ck_assert_uint_eq(count, 1);
}
END_TEST

/* PCI configuration mechanism #1 finds no device: every read of 0xcf8-0xcff is all-ones. */
START_TEST(test_pci_all_ones)
{
	uint16_t p;

	port(0xcf8, 4, true, 0x80000000u);
	ck_assert_uint_eq(port(0xcf8, 4, false, 0), 0xffffffffu);
	ck_assert_uint_eq(port(0xcfc, 4, false, 0), 0xffffffffu);
	ck_assert_uint_eq(port(0xcfe, 2, false, 0), 0xffff);
	for (p = PIO_PCI_FIRST; p <= PIO_PCI_LAST; p++)
		ck_assert_uint_eq(port(p, 1, false, 0), 0xff);
	port(0xcf9, 1, true, 0x06); /* a reset request: ignored */
	port(0xcfc, 4, true, 0x12345678u);
	ck_assert_uint_eq(port(0xcfc, 4, false, 0), 0xffffffffu);
	ck_assert_uint_eq(d->pio.unclaimed_ports, 0);
}
END_TEST

/* Port 0x80 (POST codes) is ignored, and not counted as unclaimed. */
START_TEST(test_post_ignored)
{
	port(PIO_POST, 1, true, 0x42);
	ck_assert_uint_eq(port(PIO_POST, 1, false, 0), 0xff);
	ck_assert_uint_eq(d->pio.unclaimed_ports, 0);
}
END_TEST

/* Bytes written to 0xe9 land in the console log (with console_io's); a read says 0xe9. */
START_TEST(test_debugcon_console_log)
{
	const char *msg = "Could not get memory map from Xen!\n";
	char out[128];
	uint64_t pos = 0;
	size_t i, n;

	console_ring_put(&d->console, "io:", 3);
	for (i = 0; msg[i]; i++)
		port(PIO_DEBUGCON, 1, true, (uint8_t)msg[i]);
	n = console_ring_read(&d->console, &pos, out, sizeof(out) - 1);
	out[n] = '\0';
	ck_assert_str_eq(out, "io:Could not get memory map from Xen!\n");
	ck_assert_uint_eq(port(PIO_DEBUGCON, 1, false, 0), PIO_DEBUGCON);
	ck_assert_uint_eq(d->pio.unclaimed_ports, 0);
}
END_TEST

/* Any other port: reads are all-ones for their size, writes are dropped, each is counted. */
START_TEST(test_unclaimed_port_sizes)
{
	static const struct {
		uint16_t port;
		uint8_t size;
		uint64_t want;
	} reads[] = {
	    {0x61, 1, 0xff},          {0x3f8, 1, 0xff},  {0x402, 2, 0xffff},
	    {0xb000, 4, 0xffffffffu}, {0xe9, 2, 0xffff}, /* the debug port takes bytes only */
	    {0xffff, 4, 0xffffffffu},
	};
	struct pio_access a;
	uint64_t count = 0;
	size_t i;
	char out[8];
	uint64_t pos = 0;

	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		a = (struct pio_access){.addr = reads[i].port, .size = reads[i].size, .data = 7};
		pio_port(d, &a, &count);
		ck_assert_msg(a.data == reads[i].want, "port 0x%x size %u read 0x%llx",
		              reads[i].port, reads[i].size, (unsigned long long)a.data);
		ck_assert_uint_eq(count, i + 1);
	}
	a = (struct pio_access){.addr = 0xe9, .size = 4, .write = true, .data = 0x41424344};
	pio_port(d, &a, &count);
	ck_assert_uint_eq(count, i + 1);
	ck_assert_uint_eq(console_ring_read(&d->console, &pos, out, sizeof(out)), 0);
	ck_assert_uint_eq(d->pio.unclaimed_ports, i + 1);
	ck_assert_uint_eq(d->pio.unclaimed_mmio, 0);
}
END_TEST

/* Unbacked MMIO: reads are all-ones for 1 to 8 bytes, writes dropped, counted apart from ports. */
START_TEST(test_unclaimed_mmio)
{
	static const uint64_t want[] = {0,
	                                0xff,
	                                0xffff,
	                                0xffffff,
	                                0xffffffffu,
	                                0xffffffffffULL,
	                                0xffffffffffffULL,
	                                0xffffffffffffffULL,
	                                ~0ULL};
	struct pio_access a;
	uint64_t count;
	uint8_t size;

	for (size = 1; size <= 8; size++) {
		a = (struct pio_access){.addr = 0xfed00000, .size = size};
		pio_mmio(d, &a, &count);
		ck_assert_uint_eq(a.data, want[size]);
		ck_assert_uint_eq(count, size);
	}
	a = (struct pio_access){.addr = 0xfee000b0, .size = 4, .write = true, .data = 0};
	pio_mmio(d, &a, &count);
	ck_assert_uint_eq(count, 9);
	ck_assert_uint_eq(d->pio.unclaimed_ports, 0);
}
END_TEST

/* The first PIO_LOG_FIRST unclaimed accesses are logged one by one, then a summary at 2^n. */
START_TEST(test_unclaimed_rate_limit)
{
	uint64_t n, count, summaries = 0;
	struct pio_access a;
	enum pio_log log;

	for (n = 1; n <= 4096; n++) {
		a = (struct pio_access){.addr = 0x61, .size = 1};
		log = pio_port(d, &a, &count);
		ck_assert_uint_eq(count, n);
		if (n <= PIO_LOG_FIRST)
			ck_assert_int_eq(log, PIO_LOG_ACCESS);
		else if (n == 16 || n == 32 || n == 64 || n == 128 || n == 256 || n == 512 ||
		         n == 1024 || n == 2048 || n == 4096)
			ck_assert_int_eq(log, PIO_LOG_SUMMARY);
		else
			ck_assert_int_eq(log, PIO_LOG_NONE);
		summaries += log == PIO_LOG_SUMMARY;
	}
	ck_assert_uint_eq(summaries, 9);
	/* MMIO has a budget of its own */
	a = (struct pio_access){.addr = 0xfed00000, .size = 4};
	ck_assert_int_eq(pio_mmio(d, &a, &count), PIO_LOG_ACCESS);
	ck_assert_uint_eq(count, 1);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_pio", .name = "platform", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, test_cmos_host_time, test_cmos_status_defaults,
	                  test_cmos_uip_never_stuck, test_cmos_formats, test_cmos_writes,
	                  test_pci_all_ones, test_post_ignored, test_debugcon_console_log,
	                  test_unclaimed_port_sizes, test_unclaimed_mmio,
	                  test_unclaimed_rate_limit);
}
