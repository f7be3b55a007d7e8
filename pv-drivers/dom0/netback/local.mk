# pv-drivers/dom0/netback: shoji-netback, the PV network backend.  Its core (the tx
# request validator, the header parser, TAP devices, the ring consumer) is a convenience
# library that the daemon, the unit tests and the benchmark link; the fuzzer compiles
# the validator.
noinst_LIBRARIES += pv-drivers/dom0/netback/libnetback.a
pv_drivers_dom0_netback_libnetback_a_SOURCES = \
	pv-drivers/dom0/netback/netif_check.c pv-drivers/dom0/netback/netif_check.h \
	pv-drivers/dom0/netback/pkt_l4.c pv-drivers/dom0/netback/pkt_l4.h \
	pv-drivers/dom0/netback/tap.c pv-drivers/dom0/netback/tap.h \
	pv-drivers/dom0/netback/vif_queue.c pv-drivers/dom0/netback/vif_queue.h
NETBACK_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pv-drivers/dom0/netback
NETBACK_LIBS = pv-drivers/dom0/netback/libnetback.a

sbin_PROGRAMS += pv-drivers/dom0/netback/shoji-netback
pv_drivers_dom0_netback_shoji_netback_SOURCES = pv-drivers/dom0/netback/netback.c \
	pv-drivers/dom0/netback/sandbox-netback.c
pv_drivers_dom0_netback_shoji_netback_CPPFLAGS = $(NETBACK_CPPFLAGS) $(UTIL_CPPFLAGS)
pv_drivers_dom0_netback_shoji_netback_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
pv_drivers_dom0_netback_shoji_netback_LDADD = $(NETBACK_LIBS) \
	pv-drivers/dom0/libbackend/libshoji-backend.la dom0-tools/libgnttab/libshoji-gnttab.la \
	$(UTIL_LIB) $(EVENT_LIBS) $(SANDBOX_LIBS)
dist_man_MANS += pv-drivers/dom0/netback/shoji-netback.8

# Unit tests: the tx request validator and the header parser.
check_PROGRAMS += tests/unit/test_netif_check
TESTS += tests/unit/test_netif_check
tests_unit_test_netif_check_SOURCES = tests/unit/test_netif_check.c
tests_unit_test_netif_check_CPPFLAGS = $(NETBACK_CPPFLAGS)
tests_unit_test_netif_check_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_netif_check_LDADD = $(NETBACK_LIBS) $(CHECK_LIBS)

# libFuzzer target over the validator and the header parser (bounded run in make check).
FUZZ_NETIF_SRCS = tests/fuzz/fuzz_netif.c pv-drivers/dom0/netback/netif_check.c \
	pv-drivers/dom0/netback/pkt_l4.c
EXTRA_DIST += tests/fuzz/fuzz_netif.c tests/fuzz/fuzz-netif.sh
TESTS += tests/fuzz/fuzz-netif.sh
CLEANFILES += tests/fuzz/fuzz_netif
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_netif
check_SCRIPTS += tests/fuzz/fuzz_netif
tests/fuzz/fuzz_netif: $(FUZZ_NETIF_SRCS) pv-drivers/dom0/netback/netif_check.h \
		pv-drivers/dom0/netback/pkt_l4.h config.h
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/pv-drivers/dom0/netback -o $@ \
		$(addprefix $(top_srcdir)/,$(FUZZ_NETIF_SRCS))
endif
