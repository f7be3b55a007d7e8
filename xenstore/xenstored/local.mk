# xenstore/xenstored: shoji-xenstored, its store core (libxsd.a: shared with the
# unit tests and the fuzzer), tests and benchmark.

# The store, protocol and journal, shared by the daemon, the unit tests and the fuzzer.
noinst_LIBRARIES += xenstore/xenstored/libxsd.a
XSD_CORE_C = \
	xenstore/xenstored/path.c \
	xenstore/xenstored/perms.c \
	xenstore/xenstored/tree.c \
	xenstore/xenstored/transaction.c \
	xenstore/xenstored/watch.c \
	xenstore/xenstored/quota.c \
	xenstore/xenstored/domain.c \
	xenstore/xenstored/journal.c \
	xenstore/xenstored/journal-replay.c \
	xenstore/xenstored/journal-crc.c \
	xenstore/xenstored/proto.c \
	xenstore/xenstored/conn.c
xenstore_xenstored_libxsd_a_SOURCES = xenstore/xenstored/xsd.h xenstore/xenstored/journal.h \
	$(XSD_CORE_C)

sbin_PROGRAMS += xenstore/xenstored/shoji-xenstored
xenstore_xenstored_shoji_xenstored_SOURCES = xenstore/xenstored/xenstored.c \
	xenstore/xenstored/sandbox-xenstored.c
xenstore_xenstored_shoji_xenstored_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
xenstore_xenstored_shoji_xenstored_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
xenstore_xenstored_shoji_xenstored_LDADD = xenstore/xenstored/libxsd.a $(UTIL_LIB) $(EVENT_LIBS) \
	$(SANDBOX_LIBS)

# Benchmark: `make bench` runs it against a private daemon.
noinst_PROGRAMS += tests/bench/xs_bench
tests_bench_xs_bench_SOURCES = tests/bench/xs_bench.c
BENCH_BINS += tests/bench/xs_bench
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/xs_bench.sh"
EXTRA_DIST += tests/bench/xs_bench.sh

# Unit tests: the store driven through the real dispatcher.
XS_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/xenstore/xenstored
XS_UNIT_LDADD = xenstore/xenstored/libxsd.a $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_xs_tree
TESTS += tests/unit/test_xs_tree
tests_unit_test_xs_tree_SOURCES = tests/unit/test_xs_tree.c tests/unit/test_xs_util.h
tests_unit_test_xs_tree_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_tree_LDADD = $(XS_UNIT_LDADD)
# checks issue 18's mutation run found untested (tests/mutants/mutants.txt)
check_PROGRAMS += tests/unit/test_xs_checks
TESTS += tests/unit/test_xs_checks
tests_unit_test_xs_checks_SOURCES = tests/unit/test_xs_checks.c tests/unit/test_xs_util.h
tests_unit_test_xs_checks_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_checks_LDADD = $(XS_UNIT_LDADD)
check_PROGRAMS += tests/unit/test_xs_xsa
TESTS += tests/unit/test_xs_xsa
tests_unit_test_xs_xsa_SOURCES = tests/unit/test_xs_xsa.c tests/unit/test_xs_util.h
tests_unit_test_xs_xsa_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_xsa_LDADD = $(XS_UNIT_LDADD)
check_PROGRAMS += tests/unit/test_xs_log
TESTS += tests/unit/test_xs_log
tests_unit_test_xs_log_SOURCES = tests/unit/test_xs_log.c tests/unit/test_xs_util.h
tests_unit_test_xs_log_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_log_LDADD = $(XS_UNIT_LDADD)
# issue 15's store-level findings (SET_PERMS owner, quotas at commit, caps, quota bounds)
check_PROGRAMS += tests/unit/test_xs_harden
TESTS += tests/unit/test_xs_harden
tests_unit_test_xs_harden_SOURCES = tests/unit/test_xs_harden.c tests/unit/test_xs_util.h
tests_unit_test_xs_harden_CFLAGS = $(XS_UNIT_CFLAGS)
tests_unit_test_xs_harden_LDADD = $(XS_UNIT_LDADD)
# libshoji-xs against a private daemon
check_PROGRAMS += tests/unit/test_xs_lib
TESTS += tests/unit/test_xs_lib
tests_unit_test_xs_lib_SOURCES = tests/unit/test_xs_lib.c
tests_unit_test_xs_lib_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_xs_lib_LDADD = xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# Fuzzer: the message stream through the real dispatcher (bounded run in make check).
TESTS += tests/fuzz/fuzz-xs-proto.sh
EXTRA_DIST += tests/fuzz/fuzz-xs-proto.sh tests/fuzz/fuzz_xs_proto.c tests/fuzz/xs_corpus
CLEANFILES += tests/fuzz/fuzz_xs_proto
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_xs_proto
check_SCRIPTS += tests/fuzz/fuzz_xs_proto
FUZZ_XS_SRCS = $(srcdir)/tests/fuzz/fuzz_xs_proto.c \
	$(srcdir)/xenstore/xenstored/path.c $(srcdir)/xenstore/xenstored/perms.c $(srcdir)/xenstore/xenstored/tree.c \
	$(srcdir)/xenstore/xenstored/transaction.c $(srcdir)/xenstore/xenstored/watch.c $(srcdir)/xenstore/xenstored/quota.c \
	$(srcdir)/xenstore/xenstored/domain.c $(srcdir)/xenstore/xenstored/journal.c \
	$(srcdir)/xenstore/xenstored/journal-replay.c $(srcdir)/xenstore/xenstored/journal-crc.c \
	$(srcdir)/xenstore/xenstored/proto.c $(srcdir)/xenstore/xenstored/conn.c
tests/fuzz/fuzz_xs_proto: $(FUZZ_XS_SRCS) $(srcdir)/xenstore/xenstored/xsd.h \
		$(srcdir)/xenstore/xenstored/journal.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CC) $(FUZZ_CFLAGS) -I$(srcdir)/xenstore/xenstored \
		-o $@ $(FUZZ_XS_SRCS)
endif

# System tests over the socket.
TESTS += tests/system/xs-basic.sh tests/system/xs-restart.sh tests/system/xs-robust.sh
# the journal comes before the reply (fault injection: a file-size limit)
TESTS += tests/system/xs-journal-order.sh
EXTRA_DIST += tests/system/xs-journal-order.sh
# issue 15's daemon-level findings: the state directory (#11), one daemon per state
# directory and socket (#8), who may use the socket (#10), descriptors and clients (#9),
# the journal with --fsync (#17)
TESTS += tests/system/xs-statedir.sh tests/system/xs-instance.sh tests/system/xs-peercred.sh \
	tests/system/xs-fds.sh tests/system/xs-fsync.sh
EXTRA_DIST += tests/system/xs-statedir.sh tests/system/xs-instance.sh \
	tests/system/xs-peercred.sh tests/system/xs-fds.sh tests/system/xs-fsync.sh
EXTRA_DIST += tests/system/xs-common.sh tests/system/xs-basic.sh tests/system/xs-restart.sh \
	tests/system/xs-robust.sh

# Conformance: Debian's libxenstore tools and python3-pyxs as clients.
TESTS += tests/conformance/xs-utils.sh tests/conformance/xs-pyxs.sh
EXTRA_DIST += tests/conformance/xs-utils.sh tests/conformance/xs-pyxs.sh

dist_man_MANS += xenstore/xenstored/shoji-xenstored.8
EXTRA_DIST += docs/xenstore-journal.md
include $(srcdir)/xenstore/xenstored/ring.mk
