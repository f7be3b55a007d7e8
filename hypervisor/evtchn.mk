# hypervisor/evtchn.mk: the event channel and grant table cores of shoji-hv,
# built as a convenience library that shoji-hv and the unit tests link
# (included from the top Makefile.am).
noinst_LIBRARIES += hypervisor/libhv-evtgnt.a
hypervisor_libhv_evtgnt_a_SOURCES = \
	hypervisor/evtchn.c hypervisor/evtchn.h hypervisor/evtchn_abi.h \
	hypervisor/evtchn_2l.c hypervisor/evtchn_fifo.c \
	hypervisor/gnttab.c hypervisor/gnttab.h \
	hypervisor/compat.c hypervisor/compat.h hypervisor/compat-layout.h

check_PROGRAMS += tests/unit/test_evtchn tests/unit/test_evtchn_fifo tests/unit/test_gnttab
TESTS += tests/unit/test_evtchn tests/unit/test_evtchn_fifo tests/unit/test_gnttab
EVTCHN_FAKE = tests/unit/test_evtchn_fake.c tests/unit/test_evtchn_fake.h
tests_unit_test_evtchn_SOURCES = tests/unit/test_evtchn.c $(EVTCHN_FAKE)
tests_unit_test_evtchn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_evtchn_LDADD = hypervisor/libhv-evtgnt.a $(CHECK_LIBS)
tests_unit_test_evtchn_fifo_SOURCES = tests/unit/test_evtchn_fifo.c $(EVTCHN_FAKE)
tests_unit_test_evtchn_fifo_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_evtchn_fifo_LDADD = hypervisor/libhv-evtgnt.a $(CHECK_LIBS)
tests_unit_test_gnttab_SOURCES = tests/unit/test_gnttab.c
tests_unit_test_gnttab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_gnttab_LDADD = hypervisor/libhv-evtgnt.a $(CHECK_LIBS)

# The event ABIs beside evtchn.c in hypervisor/local.mk's hypercall fuzzer.
FUZZ_HV_CORE += $(top_srcdir)/hypervisor/evtchn_2l.c $(top_srcdir)/hypervisor/evtchn_fifo.c

# libFuzzer target: random evtchn/gnttab op sequences from two fake guests and Dom0.
FUZZ_EVTGNT_SRCS = tests/fuzz/fuzz_evtchn_gnttab.c hypervisor/evtchn.c hypervisor/evtchn_2l.c \
	hypervisor/evtchn_fifo.c hypervisor/gnttab.c hypervisor/compat.c
EXTRA_DIST += tests/fuzz/fuzz_evtchn_gnttab.c tests/fuzz/fuzz-evtchn-gnttab.sh
TESTS += tests/fuzz/fuzz-evtchn-gnttab.sh
CLEANFILES += tests/fuzz/fuzz_evtchn_gnttab
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_evtchn_gnttab
check_SCRIPTS += tests/fuzz/fuzz_evtchn_gnttab
tests/fuzz/fuzz_evtchn_gnttab: $(FUZZ_EVTGNT_SRCS) hypervisor/evtchn.h hypervisor/evtchn_abi.h \
		hypervisor/gnttab.h hypervisor/compat.h hypervisor/compat-layout.h config.h
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -pthread -I$(top_srcdir)/hypervisor -o $@ \
		$(addprefix $(top_srcdir)/,$(FUZZ_EVTGNT_SRCS))
endif

EXTRA_DIST += docs/event-channels.md
