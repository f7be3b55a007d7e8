# tests/sim: hvsim, shoji-hv without KVM for end-to-end tests of Dom0 backends
# (tests/sim/hvsim.h).  libhvsim.a builds shoji-hv's domain, vCPU, event loop
# and control socket code again with simkvm.c in place of hypervisor/kvm.c;
# with libhv-core.a and libhv-evtgnt.a it is all of shoji-hv but the KVM
# layer and main.c.  A check library: never installed.
check_LIBRARIES += tests/sim/libhvsim.a
tests_sim_libhvsim_a_SOURCES = tests/sim/hvsim.c tests/sim/hvsim.h \
	tests/sim/simkvm.c tests/sim/simkvm.h \
	hypervisor/control.c hypervisor/domain.c hypervisor/hv.c hypervisor/vcpu.c \
	hypervisor/vmpool.c hypervisor/runcons.c hypervisor/runcons.h \
	hypervisor/save.c hypervisor/save.h
tests_sim_libhvsim_a_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS) -I$(top_srcdir)/hypervisor
tests_sim_libhvsim_a_CFLAGS = $(AM_CFLAGS) $(UUID_CFLAGS)
# What a program using hvsim links (after its own objects).
HVSIM_LDADD = tests/sim/libhvsim.a hypervisor/libhv-core.a hypervisor/libhv-evtgnt.a \
	dom0-tools/libctrl/libshoji-ctrl.la $(UTIL_LIB) $(ZLIB_LIBS) $(UUID_LIBS)

# hvsim's own promises, checked with Dom0's libraries.
check_PROGRAMS += tests/sim/test_hvsim
TESTS += tests/sim/test_hvsim
tests_sim_test_hvsim_SOURCES = tests/sim/test_hvsim.c
tests_sim_test_hvsim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_hvsim_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_hvsim_LDADD = $(HVSIM_LDADD) dom0-tools/libevtchn/libshoji-evtchn.la \
	dom0-tools/libgnttab/libshoji-gnttab.la $(CHECK_LIBS)

# shoji-hv run's console ring server (hypervisor/runcons.c) on hvsim: the test
# is the guest writing to and reading from its console ring.
check_PROGRAMS += tests/sim/test_sim_runcons
TESTS += tests/sim/test_sim_runcons
tests_sim_test_sim_runcons_SOURCES = tests/sim/test_sim_runcons.c
tests_sim_test_sim_runcons_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_runcons_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_runcons_LDADD = $(HVSIM_LDADD) $(CHECK_LIBS)

# shoji-pingback, unchanged, against hvsim and a private shoji-xenstored; the
# test plays the ping frontend as the simulated guest.
check_PROGRAMS += tests/sim/test_sim_ping
TESTS += tests/sim/test_sim_ping
SIMTEST = tests/sim/simtest.c tests/sim/simtest.h
tests_sim_test_sim_ping_SOURCES = tests/sim/test_sim_ping.c include/proto/ping.h $(SIMTEST)
tests_sim_test_sim_ping_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_ping_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_ping_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# shoji-consoled, unchanged, against hvsim: output to its log, input from a client.
check_PROGRAMS += tests/sim/test_sim_console
TESTS += tests/sim/test_sim_console
tests_sim_test_sim_console_SOURCES = tests/sim/test_sim_console.c $(SIMTEST)
tests_sim_test_sim_console_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_console_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_console_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# shoji-xenstored across a shoji-hv (hvsim in a child) killed and restarted.
check_PROGRAMS += tests/sim/test_sim_xs_hvrestart
TESTS += tests/sim/test_sim_xs_hvrestart
tests_sim_test_sim_xs_hvrestart_SOURCES = tests/sim/test_sim_xs_hvrestart.c $(SIMTEST)
tests_sim_test_sim_xs_hvrestart_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_xs_hvrestart_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_xs_hvrestart_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# shoji-blkback, unchanged, against hvsim: the test is the toolstack and the guest's blkfront.
check_PROGRAMS += tests/sim/test_sim_blkback
TESTS += tests/sim/test_sim_blkback
tests_sim_test_sim_blkback_SOURCES = tests/sim/test_sim_blkback.c $(SIMTEST)
tests_sim_test_sim_blkback_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_blkback_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_blkback_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# Long batched hypercalls as continuations, through the vCPU thread (issue 15 #3).
check_PROGRAMS += tests/sim/test_sim_hcall_preempt
TESTS += tests/sim/test_sim_hcall_preempt
tests_sim_test_sim_hcall_preempt_SOURCES = tests/sim/test_sim_hcall_preempt.c
tests_sim_test_sim_hcall_preempt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_hcall_preempt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_hcall_preempt_LDADD = $(HVSIM_LDADD) $(CHECK_LIBS)

# shoji-hv's event stream for a subscriber that stops reading (issue 15 #6).
check_PROGRAMS += tests/sim/test_sim_events
TESTS += tests/sim/test_sim_events
tests_sim_test_sim_events_SOURCES = tests/sim/test_sim_events.c
tests_sim_test_sim_events_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_events_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_events_LDADD = $(HVSIM_LDADD) $(CHECK_LIBS)

# hvsim as a process, for shell tests of shojid without /dev/kvm.
check_PROGRAMS += tests/sim/hvsim-serve
tests_sim_hvsim_serve_SOURCES = tests/sim/hvsim-serve.c
tests_sim_hvsim_serve_LDADD = $(HVSIM_LDADD)

# shoji-netback, unchanged, against hvsim in a private network namespace: the test is the
# toolstack and the guest's netfront, and reads and writes the TAP with AF_PACKET.
check_PROGRAMS += tests/sim/test_sim_netback
TESTS += tests/sim/test_sim_netback
tests_sim_test_sim_netback_SOURCES = tests/sim/test_sim_netback.c $(SIMTEST)
tests_sim_test_sim_netback_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_sim_test_sim_netback_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_sim_test_sim_netback_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la $(CHECK_LIBS)

# make bench: shoji-netback on hvsim beside a plain TAP loop (built only for make bench).
EXTRA_PROGRAMS = tests/bench/net_bench
tests_bench_net_bench_SOURCES = tests/bench/net_bench.c
tests_bench_net_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_bench_net_bench_LDADD = $(HVSIM_LDADD) xenstore/libxs/libshoji-xs.la -lpthread
BENCH_BINS += tests/bench/net_bench pv-drivers/dom0/netback/shoji-netback \
	xenstore/xenstored/shoji-xenstored
BENCH_RUNS += "$(SHELL) $(abs_top_srcdir)/tests/bench/net_bench.sh"
EXTRA_DIST += tests/bench/net_bench.sh
CLEANFILES += tests/bench/net_bench

# make bench: save and restore of a 1 GiB domain on hvsim beside a plain write and read.
EXTRA_PROGRAMS += tests/bench/save_bench
tests_bench_save_bench_SOURCES = tests/bench/save_bench.c
tests_bench_save_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_bench_save_bench_LDADD = $(HVSIM_LDADD) -lpthread
BENCH_BINS += tests/bench/save_bench
BENCH_RUNS += "$(abs_top_builddir)/tests/bench/save_bench"
CLEANFILES += tests/bench/save_bench

# shoji-hv's save and restore (hypervisor/save.c) on hvsim: the test is the guest, Dom0 checks.
check_PROGRAMS += tests/sim/test_sim_save
TESTS += tests/sim/test_sim_save
tests_sim_test_sim_save_SOURCES = tests/sim/test_sim_save.c
tests_sim_test_sim_save_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-I$(top_srcdir)/hypervisor $(UTIL_CPPFLAGS)
tests_sim_test_sim_save_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ZLIB_CFLAGS)
tests_sim_test_sim_save_LDADD = $(HVSIM_LDADD) dom0-tools/libevtchn/libshoji-evtchn.la \
	dom0-tools/libgnttab/libshoji-gnttab.la $(CHECK_LIBS)
