# tests/dom0: Dom0 test programs of libshoji-evtchn/-gnttab, their system tests and benchmark.
# --- Dom0 test programs (tests/dom0) and their system tests. ---
DOM0_TEST_LDADD = dom0-tools/libevtchn/libshoji-evtchn.la dom0-tools/libgnttab/libshoji-gnttab.la \
	dom0-tools/libctrl/libshoji-ctrl.la
check_PROGRAMS += tests/dom0/dom0-pingpong tests/dom0/dom0-grant tests/dom0/dom0-hostile \
	tests/dom0/dom0-gntcopy
tests_dom0_dom0_pingpong_SOURCES = tests/dom0/dom0-pingpong.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_pingpong_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_grant_SOURCES = tests/dom0/dom0-grant.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-grant-main.c tests/dom0/dom0-util.h
tests_dom0_dom0_grant_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_hostile_SOURCES = tests/dom0/dom0-hostile.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_hostile_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_gntcopy_SOURCES = tests/dom0/dom0-gntcopy.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-grant-main.c tests/dom0/dom0-util.h
tests_dom0_dom0_gntcopy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/dom0
tests_dom0_dom0_gntcopy_LDADD = $(DOM0_TEST_LDADD)
DOM0_TESTS = tests/dom0/dom0-pingpong.sh tests/dom0/dom0-grant.sh tests/dom0/dom0-hostile.sh \
	tests/dom0/dom0-gntcopy.sh
TESTS += $(DOM0_TESTS)
EXTRA_DIST += $(DOM0_TESTS) tests/dom0/dom0-lib.sh

# --- Benchmark (make bench). ---
noinst_PROGRAMS += tests/bench/pv_bench
tests_bench_pv_bench_SOURCES = tests/bench/pv_bench.c tests/dom0/dom0-util.c tests/dom0/dom0-util.h
tests_bench_pv_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/dom0
tests_bench_pv_bench_LDADD = $(DOM0_TEST_LDADD)
BENCH_BINS += tests/bench/pv_bench tests/guests/evtchn-dom0 tests/guests/gnttab-dom0 \
	tests/guests/evtchn-pingpong tests/system/pvrun
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/pv_bench.sh"
EXTRA_DIST += tests/bench/pv_bench.sh
