# tests/guests: test guest images (included from pv-drivers/local.mk, which
# defines GUEST_PROG_*).  Each guest is one .c file; those that print
# PASS/FAIL lines link libguest-check.a too.  Their system tests are
# tests/system/guest-*.sh (helpers in tests/guests/lib.sh).

# hello is built by plain `make`: `shoji-hv run tests/guests/hello` must work.
noinst_PROGRAMS += tests/guests/hello
tests_guests_hello_SOURCES = tests/guests/hello.c
tests_guests_hello_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_hello_CFLAGS = $(GUEST_CFLAGS)
tests_guests_hello_LDADD = $(GUEST_RUNTIME)
tests_guests_hello_DEPENDENCIES = $(GUEST_PROG_DEPS)
tests_guests_hello_LINK = $(GUEST_PROG_LINK)

check_LIBRARIES += tests/guests/libguest-check.a
tests_guests_libguest_check_a_SOURCES = tests/guests/check.c tests/guests/check.h
tests_guests_libguest_check_a_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_libguest_check_a_CFLAGS = $(GUEST_CFLAGS)
GUEST_CHECK_LIB = tests/guests/libguest-check.a

check_PROGRAMS += tests/guests/hypercalls
tests_guests_hypercalls_SOURCES = tests/guests/hypercalls.c
tests_guests_hypercalls_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_hypercalls_CFLAGS = $(GUEST_CFLAGS)
tests_guests_hypercalls_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_hypercalls_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_hypercalls_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/shutdown
tests_guests_shutdown_SOURCES = tests/guests/shutdown.c
tests_guests_shutdown_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_shutdown_CFLAGS = $(GUEST_CFLAGS)
tests_guests_shutdown_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_shutdown_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_shutdown_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/timer
tests_guests_timer_SOURCES = tests/guests/timer.c
tests_guests_timer_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_timer_CFLAGS = $(GUEST_CFLAGS)
tests_guests_timer_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_timer_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_timer_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/smp
tests_guests_smp_SOURCES = tests/guests/smp.c
tests_guests_smp_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_smp_CFLAGS = $(GUEST_CFLAGS)
tests_guests_smp_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_smp_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_smp_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/memmap
tests_guests_memmap_SOURCES = tests/guests/memmap.c
tests_guests_memmap_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_memmap_CFLAGS = $(GUEST_CFLAGS)
tests_guests_memmap_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_memmap_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_memmap_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/triplefault
tests_guests_triplefault_SOURCES = tests/guests/triplefault.c
tests_guests_triplefault_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_triplefault_CFLAGS = $(GUEST_CFLAGS)
tests_guests_triplefault_LDADD = $(GUEST_RUNTIME)
tests_guests_triplefault_DEPENDENCIES = $(GUEST_PROG_DEPS)
tests_guests_triplefault_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/hostile
tests_guests_hostile_SOURCES = tests/guests/hostile.c
tests_guests_hostile_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_hostile_CFLAGS = $(GUEST_CFLAGS)
tests_guests_hostile_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_hostile_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_hostile_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/pvclock
tests_guests_pvclock_SOURCES = tests/guests/pvclock.c
tests_guests_pvclock_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_pvclock_CFLAGS = $(GUEST_CFLAGS)
tests_guests_pvclock_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_pvclock_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_pvclock_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/initrd
tests_guests_initrd_SOURCES = tests/guests/initrd.c
tests_guests_initrd_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_initrd_CFLAGS = $(GUEST_CFLAGS)
tests_guests_initrd_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_initrd_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_initrd_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/cmdline
tests_guests_cmdline_SOURCES = tests/guests/cmdline.c
tests_guests_cmdline_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_cmdline_CFLAGS = $(GUEST_CFLAGS)
tests_guests_cmdline_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_cmdline_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_cmdline_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/fault
tests_guests_fault_SOURCES = tests/guests/fault.c
tests_guests_fault_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_fault_CFLAGS = $(GUEST_CFLAGS)
tests_guests_fault_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_fault_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_fault_LINK = $(GUEST_PROG_LINK)

# Used by the toolstack tests (tests/system/toolstack-*.sh): a domain that stays up.
check_PROGRAMS += tests/guests/idle
tests_guests_idle_SOURCES = tests/guests/idle.c
tests_guests_idle_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_idle_CFLAGS = $(GUEST_CFLAGS)
tests_guests_idle_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_idle_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_idle_LINK = $(GUEST_PROG_LINK)

# Run by the hypervisor's hypercall round-trip benchmark (make bench).
BENCH_BINS += tests/guests/bench-hypercall
check_PROGRAMS += tests/guests/bench-hypercall
tests_guests_bench_hypercall_SOURCES = tests/guests/bench-hypercall.c
tests_guests_bench_hypercall_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_bench_hypercall_CFLAGS = $(GUEST_CFLAGS)
tests_guests_bench_hypercall_LDADD = $(GUEST_RUNTIME)
tests_guests_bench_hypercall_DEPENDENCIES = $(GUEST_PROG_DEPS)
tests_guests_bench_hypercall_LINK = $(GUEST_PROG_LINK)

check_PROGRAMS += tests/guests/upcall
tests_guests_upcall_SOURCES = tests/guests/upcall.c
tests_guests_upcall_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
tests_guests_upcall_CFLAGS = $(GUEST_CFLAGS)
tests_guests_upcall_LDADD = $(GUEST_CHECK_LIB) $(GUEST_RUNTIME)
tests_guests_upcall_DEPENDENCIES = $(GUEST_CHECK_LIB) $(GUEST_PROG_DEPS)
tests_guests_upcall_LINK = $(GUEST_PROG_LINK)

# guest32: an i386 PVH guest without the runtime (tests/guests/guest32.c), linked at 1 MiB.
check_PROGRAMS += tests/guests/guest32
tests_guests_guest32_SOURCES = tests/guests/guest32.c
tests_guests_guest32_CPPFLAGS =
tests_guests_guest32_CFLAGS = $(GUEST_CFLAGS) -m32
tests_guests_guest32_LINK = $(CCLD) $(GUEST_CFLAGS) -m32 $(GUEST_LDFLAGS) \
	-Wno-unused-command-line-argument -Wl,-m,elf_i386 -Wl,-e,guest32_start \
	-Wl,-Ttext-segment=0x100000 -o $@

GUEST_SYSTEM_TESTS = \
	tests/system/guest-hello.sh \
	tests/system/guest-hypercalls.sh \
	tests/system/guest-shutdown.sh \
	tests/system/guest-timer.sh \
	tests/system/guest-smp.sh \
	tests/system/guest-memmap.sh \
	tests/system/guest-triplefault.sh \
	tests/system/guest-fault.sh \
	tests/system/guest-hostile.sh \
	tests/system/guest-pvclock.sh \
	tests/system/guest-initrd.sh \
	tests/system/guest-cmdline.sh \
	tests/system/guest-upcall.sh \
	tests/system/guest-32bit.sh
TESTS += $(GUEST_SYSTEM_TESTS)
EXTRA_DIST += $(GUEST_SYSTEM_TESTS) tests/guests/lib.sh
TESTS += tests/system/guest-idle.sh
EXTRA_DIST += tests/system/guest-idle.sh

include $(srcdir)/tests/guests/pv.mk

