# pv-drivers/dom0/blkback: shoji-blkback, the PV block backend.  Its core (the request
# validator, the I/O engine, backing stores, the ring consumer) is a convenience library
# that the daemon, the unit tests and the benchmark link; the fuzzer compiles the validator.
noinst_LIBRARIES += pv-drivers/dom0/blkback/libblkback.a
pv_drivers_dom0_blkback_libblkback_a_SOURCES = \
	pv-drivers/dom0/blkback/blkif_check.c pv-drivers/dom0/blkback/blkif_check.h \
	pv-drivers/dom0/blkback/engine.c pv-drivers/dom0/blkback/engine.h \
	pv-drivers/dom0/blkback/engine-impl.h pv-drivers/dom0/blkback/engine_uring.c \
	pv-drivers/dom0/blkback/engine_threads.c \
	pv-drivers/dom0/blkback/store.c pv-drivers/dom0/blkback/store.h \
	pv-drivers/dom0/blkback/vbd_ring.c pv-drivers/dom0/blkback/vbd_ring.h
pv_drivers_dom0_blkback_libblkback_a_CFLAGS = $(AM_CFLAGS) $(URING_CFLAGS)
BLKBACK_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pv-drivers/dom0/blkback
BLKBACK_LIBS = pv-drivers/dom0/blkback/libblkback.a $(URING_LIBS)

sbin_PROGRAMS += pv-drivers/dom0/blkback/shoji-blkback
pv_drivers_dom0_blkback_shoji_blkback_SOURCES = pv-drivers/dom0/blkback/blkback.c \
	pv-drivers/dom0/blkback/sandbox-blkback.c
pv_drivers_dom0_blkback_shoji_blkback_CPPFLAGS = $(BLKBACK_CPPFLAGS) $(UTIL_CPPFLAGS)
pv_drivers_dom0_blkback_shoji_blkback_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) $(SECCOMP_CFLAGS)
pv_drivers_dom0_blkback_shoji_blkback_LDADD = pv-drivers/dom0/libbackend/libshoji-backend.la \
	dom0-tools/libgnttab/libshoji-gnttab.la $(BLKBACK_LIBS) $(UTIL_LIB) $(EVENT_LIBS) $(SANDBOX_LIBS)
dist_man_MANS += pv-drivers/dom0/blkback/shoji-blkback.8

# Unit tests: the validator; the I/O engine on a real temp file (io_uring and threads);
# the ring consumer against an in-process frontend with its own segment mapper.
check_PROGRAMS += tests/unit/test_blkif tests/unit/test_blkif_engine tests/unit/test_blkif_ring
TESTS += tests/unit/test_blkif tests/unit/test_blkif_engine tests/unit/test_blkif_ring
tests_unit_test_blkif_SOURCES = tests/unit/test_blkif.c
tests_unit_test_blkif_CPPFLAGS = $(BLKBACK_CPPFLAGS)
tests_unit_test_blkif_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_blkif_LDADD = $(BLKBACK_LIBS) $(CHECK_LIBS)
tests_unit_test_blkif_engine_SOURCES = tests/unit/test_blkif_engine.c tests/unit/test_blkif_util.h
tests_unit_test_blkif_engine_CPPFLAGS = $(BLKBACK_CPPFLAGS)
tests_unit_test_blkif_engine_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_blkif_engine_LDADD = $(BLKBACK_LIBS) $(CHECK_LIBS)
tests_unit_test_blkif_ring_SOURCES = tests/unit/test_blkif_ring.c tests/unit/test_blkif_util.h
tests_unit_test_blkif_ring_CPPFLAGS = $(BLKBACK_CPPFLAGS)
tests_unit_test_blkif_ring_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_blkif_ring_LDADD = $(BLKBACK_LIBS) $(CHECK_LIBS)

# libFuzzer target over the validator (bounded run in make check).
FUZZ_BLKIF_SRCS = tests/fuzz/fuzz_blkif.c pv-drivers/dom0/blkback/blkif_check.c
EXTRA_DIST += tests/fuzz/fuzz_blkif.c tests/fuzz/fuzz-blkif.sh
TESTS += tests/fuzz/fuzz-blkif.sh
CLEANFILES += tests/fuzz/fuzz_blkif
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_blkif
check_SCRIPTS += tests/fuzz/fuzz_blkif
tests/fuzz/fuzz_blkif: $(FUZZ_BLKIF_SRCS) pv-drivers/dom0/blkback/blkif_check.h config.h
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_srcdir)/pv-drivers/dom0/blkback -o $@ \
		$(addprefix $(top_srcdir)/,$(FUZZ_BLKIF_SRCS))
endif

# make bench: the engine beside a plain io_uring program on the same file.
noinst_PROGRAMS += tests/bench/blk_bench
tests_bench_blk_bench_SOURCES = tests/bench/blk_bench.c
tests_bench_blk_bench_CPPFLAGS = $(BLKBACK_CPPFLAGS)
tests_bench_blk_bench_CFLAGS = $(AM_CFLAGS) $(URING_CFLAGS)
tests_bench_blk_bench_LDADD = $(BLKBACK_LIBS)
BENCH_BINS += tests/bench/blk_bench
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/blk_bench.sh"
EXTRA_DIST += tests/bench/blk_bench.sh
