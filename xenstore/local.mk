# xenstore: build fragment (paths relative to the top of the tree).

# The store, protocol and log, shared by the daemon, the unit tests and the fuzzer.
noinst_LIBRARIES += xenstore/libxsd.a
XSD_CORE_C = \
	xenstore/path.c \
	xenstore/perms.c \
	xenstore/tree.c \
	xenstore/transaction.c \
	xenstore/watch.c \
	xenstore/quota.c \
	xenstore/domain.c \
	xenstore/log.c \
	xenstore/proto.c \
	xenstore/conn.c
xenstore_libxsd_a_SOURCES = xenstore/xsd.h $(XSD_CORE_C)

sbin_PROGRAMS += xenstore/shoji-xenstored
xenstore_shoji_xenstored_SOURCES = xenstore/xenstored.c dom0-tools/mkdir-p.c dom0-tools/mkdir-p.h
xenstore_shoji_xenstored_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dom0-tools
xenstore_shoji_xenstored_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
xenstore_shoji_xenstored_LDADD = xenstore/libxsd.a $(EVENT_LIBS)

# libshoji-xs: the client library, and its public header.
lib_LTLIBRARIES += xenstore/libshoji-xs.la
xenstore_libshoji_xs_la_SOURCES = xenstore/xs.c
xenstore_libshoji_xs_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
shojiinclude_HEADERS += include/shoji/xs.h

bin_PROGRAMS += xenstore/shoji-xenstore
xenstore_shoji_xenstore_SOURCES = xenstore/cli.c
xenstore_shoji_xenstore_LDADD = xenstore/libshoji-xs.la

# Benchmark: `make bench` runs it against a private daemon.
noinst_PROGRAMS += tests/bench/xs_bench
tests_bench_xs_bench_SOURCES = tests/bench/xs_bench.c
BENCH_BINS += tests/bench/xs_bench
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/xs_bench.sh"
EXTRA_DIST += tests/bench/xs_bench.sh

# Unit tests: the store driven through the real dispatcher.
XS_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/xenstore
XS_UNIT_LDADD = xenstore/libxsd.a $(CHECK_LIBS)
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
# libshoji-xs against a private daemon
check_PROGRAMS += tests/unit/test_xs_lib
TESTS += tests/unit/test_xs_lib
tests_unit_test_xs_lib_SOURCES = tests/unit/test_xs_lib.c
tests_unit_test_xs_lib_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_xs_lib_LDADD = xenstore/libshoji-xs.la $(CHECK_LIBS)

# Fuzzer: the message stream through the real dispatcher (bounded run in make check).
TESTS += tests/fuzz/fuzz-xs-proto.sh
EXTRA_DIST += tests/fuzz/fuzz-xs-proto.sh tests/fuzz/fuzz_xs_proto.c tests/fuzz/xs_corpus
CLEANFILES += tests/fuzz/fuzz_xs_proto
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_xs_proto
check_SCRIPTS += tests/fuzz/fuzz_xs_proto
FUZZ_XS_SRCS = $(srcdir)/tests/fuzz/fuzz_xs_proto.c \
	$(srcdir)/xenstore/path.c $(srcdir)/xenstore/perms.c $(srcdir)/xenstore/tree.c \
	$(srcdir)/xenstore/transaction.c $(srcdir)/xenstore/watch.c $(srcdir)/xenstore/quota.c \
	$(srcdir)/xenstore/domain.c $(srcdir)/xenstore/log.c $(srcdir)/xenstore/proto.c \
	$(srcdir)/xenstore/conn.c
tests/fuzz/fuzz_xs_proto: $(FUZZ_XS_SRCS) $(srcdir)/xenstore/xsd.h
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CC) $(FUZZ_CFLAGS) -I$(srcdir)/xenstore \
		-o $@ $(FUZZ_XS_SRCS)
endif

# System tests over the socket.
TESTS += tests/system/xs-basic.sh tests/system/xs-restart.sh tests/system/xs-robust.sh
# the journal comes before the reply (fault injection: a file-size limit)
TESTS += tests/system/xs-journal-order.sh
EXTRA_DIST += tests/system/xs-journal-order.sh
EXTRA_DIST += tests/system/xs-common.sh tests/system/xs-basic.sh tests/system/xs-restart.sh \
	tests/system/xs-robust.sh

# Conformance: Debian's libxenstore tools and python3-pyxs as clients.
TESTS += tests/conformance/xs-utils.sh tests/conformance/xs-pyxs.sh
EXTRA_DIST += tests/conformance/xs-utils.sh tests/conformance/xs-pyxs.sh

dist_man_MANS += xenstore/shoji-xenstored.8 xenstore/shoji-xenstore.1
EXTRA_DIST += docs/xenstore-log.md
include xenstore/ring.mk
