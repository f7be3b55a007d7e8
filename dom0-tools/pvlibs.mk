# dom0-tools/pvlibs.mk: libshoji-evtchn and libshoji-gnttab (Dom0 event
# channels, grant maps/copies, foreign maps over shoji-hv's control socket),
# their Dom0 test programs, system tests and benchmarks.
PVLIBS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor -I$(top_srcdir)/dom0-tools

lib_LTLIBRARIES += dom0-tools/libshoji-evtchn.la dom0-tools/libshoji-gnttab.la
dom0_tools_libshoji_evtchn_la_SOURCES = dom0-tools/evtchn.c dom0-tools/pvconn.c \
	dom0-tools/pvconn.h hypervisor/ctrl-proto.h hypervisor/evtdom0-proto.h
dom0_tools_libshoji_evtchn_la_CPPFLAGS = $(PVLIBS_CPPFLAGS)
dom0_tools_libshoji_evtchn_la_LDFLAGS = $(AM_LDFLAGS) -version-info 1:0:0 -export-symbols-regex '^shoji_'
dom0_tools_libshoji_gnttab_la_SOURCES = dom0-tools/gnttab.c dom0-tools/pvconn.c \
	dom0-tools/pvconn.h hypervisor/ctrl-proto.h hypervisor/evtdom0-proto.h
dom0_tools_libshoji_gnttab_la_CPPFLAGS = $(PVLIBS_CPPFLAGS)
dom0_tools_libshoji_gnttab_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:0 -export-symbols-regex '^shoji_'
shojiinclude_HEADERS += include/shoji/libevtchn.h include/shoji/libgnttab.h
dist_man_MANS += dom0-tools/libshoji-evtchn.3 dom0-tools/libshoji-gnttab.3

# --- Dom0 test programs (tests/dom0) and their system tests. ---
DOM0_TEST_LDADD = dom0-tools/libshoji-evtchn.la dom0-tools/libshoji-gnttab.la \
	dom0-tools/libshoji-ctrl.la
check_PROGRAMS += tests/dom0/dom0-pingpong tests/dom0/dom0-grant tests/dom0/dom0-hostile \
	tests/dom0/dom0-gntcopy
tests_dom0_dom0_pingpong_SOURCES = tests/dom0/dom0-pingpong.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_pingpong_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_grant_SOURCES = tests/dom0/dom0-grant.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_grant_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_hostile_SOURCES = tests/dom0/dom0-hostile.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_hostile_LDADD = $(DOM0_TEST_LDADD)
tests_dom0_dom0_gntcopy_SOURCES = tests/dom0/dom0-gntcopy.c tests/dom0/dom0-util.c \
	tests/dom0/dom0-util.h
tests_dom0_dom0_gntcopy_CPPFLAGS = $(PVLIBS_CPPFLAGS) -I$(top_srcdir)/tests/dom0
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
