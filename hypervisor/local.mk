# hypervisor: shoji-hv, the hypervisor core (paths relative to the top of the tree).

# The KVM-free core (loader, guest memory, hypercall handlers, time, the
# event channel/grant table glue and Dom0's side of them) is a
# convenience library so unit tests and fuzzers link it against a fake
# platform (tests/unit/test_hv_platform.c) instead of vcpu.c/domain.c/kvm.c/hv.c:
# hypervisor/platform.h names everything it calls of those.
noinst_LIBRARIES += hypervisor/libhv-core.a
hypervisor_libhv_core_a_SOURCES = \
	hypervisor/acpi.c hypervisor/acpi.h \
	hypervisor/console.c hypervisor/console.h \
	hypervisor/cpuid.c hypervisor/cpuid.h \
	hypervisor/dom0port.c hypervisor/dom0port.h include/proto/hv-dom0.h \
	hypervisor/evtglue.c hypervisor/evtglue.h \
	hypervisor/evtgntop.c \
	hypervisor/guestmem.c hypervisor/guestmem.h \
	hypervisor/hcpatch.c hypervisor/hcpatch.h \
	hypervisor/hvmop.c \
	hypervisor/hypercall.c hypervisor/hypercall.h \
	hypervisor/loader.c hypervisor/loader.h \
	hypervisor/memop.c \
	hypervisor/physmap.c hypervisor/physmap.h \
	hypervisor/pio.c hypervisor/pio.h \
	hypervisor/sched.c \
	hypervisor/time.c hypervisor/hvtime.h \
	hypervisor/vcpuop.c \
	hypervisor/xenver.c \
	hypervisor/platform.h hypervisor/ctrlop.h \
	hypervisor/domain.h hypervisor/vcpu.h hypervisor/hv.h hypervisor/kvm.h
hypervisor_libhv_core_a_CFLAGS = $(AM_CFLAGS) $(UUID_CFLAGS)

# Domains on KVM: the vCPU threads, the domain table, the VM pool.
noinst_LIBRARIES += hypervisor/libhv-kvm.a
hypervisor_libhv_kvm_a_SOURCES = \
	hypervisor/domain.c \
	hypervisor/hv.c \
	hypervisor/kvm.c \
	hypervisor/vcpu.c \
	hypervisor/save.c hypervisor/save.h \
	hypervisor/vmpool.c hypervisor/vmpool.h
hypervisor_libhv_kvm_a_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
hypervisor_libhv_kvm_a_CFLAGS = $(AM_CFLAGS) $(UUID_CFLAGS)

sbin_PROGRAMS += hypervisor/shoji-hv
hypervisor_shoji_hv_SOURCES = \
	hypervisor/control.c hypervisor/control.h include/proto/hv-ctrl.h \
	hypervisor/main.c \
	hypervisor/run.c hypervisor/run.h \
	hypervisor/runcons.c hypervisor/runcons.h
hypervisor_shoji_hv_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
hypervisor_shoji_hv_CFLAGS = $(AM_CFLAGS) $(UUID_CFLAGS)
hypervisor_shoji_hv_LDADD = hypervisor/libhv-kvm.a hypervisor/libhv-core.a hypervisor/libhv-evtgnt.a \
	$(UTIL_LIB) $(ZLIB_LIBS) $(UUID_LIBS)

# --- Unit tests (Check) of the core, on the fake platform. ---
HV_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(UUID_CFLAGS) -I$(top_srcdir)/hypervisor
HV_TEST_LDADD = hypervisor/libhv-core.a hypervisor/libhv-evtgnt.a $(CHECK_LIBS) $(UUID_LIBS)
HV_FAKE = tests/unit/test_hv_platform.c tests/unit/test_hv_platform.h

check_PROGRAMS += tests/unit/test_hv_loader tests/unit/test_hv_guestmem tests/unit/test_hv_hypercall tests/unit/test_hv_compat \
	tests/unit/test_hv_dom0port tests/unit/test_hv_control tests/unit/test_hv_hcpatch tests/unit/test_hv_acpi
TESTS += tests/unit/test_hv_loader tests/unit/test_hv_guestmem tests/unit/test_hv_hypercall tests/unit/test_hv_compat \
	tests/unit/test_hv_dom0port tests/unit/test_hv_control tests/unit/test_hv_hcpatch tests/unit/test_hv_acpi
tests_unit_test_hv_acpi_SOURCES = tests/unit/test_hv_acpi.c
tests_unit_test_hv_acpi_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_acpi_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_hcpatch_SOURCES = tests/unit/test_hv_hcpatch.c
tests_unit_test_hv_hcpatch_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_hcpatch_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_loader_SOURCES = tests/unit/test_hv_loader.c
tests_unit_test_hv_loader_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_loader_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_guestmem_SOURCES = tests/unit/test_hv_guestmem.c
tests_unit_test_hv_guestmem_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_guestmem_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_hypercall_SOURCES = tests/unit/test_hv_hypercall.c $(HV_FAKE)
tests_unit_test_hv_hypercall_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_hypercall_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_compat_SOURCES = tests/unit/test_hv_compat.c $(HV_FAKE)
tests_unit_test_hv_compat_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_compat_LDADD = $(HV_TEST_LDADD)
tests_unit_test_hv_dom0port_SOURCES = tests/unit/test_hv_dom0port.c $(HV_FAKE)
tests_unit_test_hv_dom0port_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_dom0port_LDADD = $(HV_TEST_LDADD)
# The control socket without KVM: control.c on an hv event loop with no domain.
tests_unit_test_hv_control_SOURCES = tests/unit/test_hv_control.c \
	hypervisor/control.c
tests_unit_test_hv_control_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_hv_control_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_control_LDADD = hypervisor/libhv-kvm.a $(HV_TEST_LDADD) \
	dom0-tools/libevtchn/libshoji-evtchn.la $(UTIL_LIB) $(ZLIB_LIBS)

# The guest's platform devices (pio.c) driven directly, on the fake platform.
check_PROGRAMS += tests/unit/test_hv_pio
TESTS += tests/unit/test_hv_pio
tests_unit_test_hv_pio_SOURCES = tests/unit/test_hv_pio.c $(HV_FAKE)
tests_unit_test_hv_pio_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_test_hv_pio_LDADD = $(HV_TEST_LDADD)

# domain.c/vcpu.c pieces that need no KVM (domain_load's files, the timer deadline, the
# port and MMIO exits on a kvm_run of the test's) on a hand-built domain: links the real
# libhv-kvm.a, not the fake platform.
check_PROGRAMS += tests/unit/test_hv_domain
TESTS += tests/unit/test_hv_domain
tests_unit_test_hv_domain_SOURCES = tests/unit/test_hv_domain.c
tests_unit_test_hv_domain_CFLAGS = $(HV_TEST_CFLAGS) $(UTIL_CPPFLAGS)
tests_unit_test_hv_domain_LDADD = hypervisor/libhv-kvm.a $(HV_TEST_LDADD) $(UTIL_LIB)
# Tools for the shell tests: pvh-inspect loads an image and scans it for Linux's
# hypercall stubs without running it (debian-*.sh); acpi-dump writes the ACPI
# tables out for ACPICA's iasl (acpi-iasl.sh).
check_PROGRAMS += tests/unit/pvh-inspect tests/unit/acpi-dump
tests_unit_pvh_inspect_SOURCES = tests/unit/pvh-inspect.c
tests_unit_pvh_inspect_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_pvh_inspect_LDADD = hypervisor/libhv-core.a
tests_unit_acpi_dump_SOURCES = tests/unit/acpi-dump.c
tests_unit_acpi_dump_CFLAGS = $(HV_TEST_CFLAGS)
tests_unit_acpi_dump_LDADD = hypervisor/libhv-core.a

# Real Debian artifacts: ACPICA over our ACPI tables, GRUB's PVH image and
# Debian's Linux (SLOW, NETWORK: apt-get download, cached) through the loader
# and the stub scanner; debian-grub-boot.sh and debian-linux-boot.sh (KVM,
# slow: minutes in KVM's emulator) boot them.  Each installs what it needs
# with apt or skips loudly (tests/lib/debian.sh).
TESTS += tests/unit/acpi-iasl.sh tests/system/debian-grub-pvh.sh tests/system/debian-grub-boot.sh \
	tests/system/debian-linux-hcpatch.sh tests/system/debian-linux-boot.sh
EXTRA_DIST += tests/unit/acpi-iasl.sh tests/system/debian-grub-pvh.sh tests/system/debian-grub-boot.sh \
	tests/system/debian-linux-hcpatch.sh tests/system/debian-linux-boot.sh tests/lib/debian.sh

# --- libFuzzer targets: the loader, and hypercall dispatch on the fake platform. ---
FUZZ_HV_CORE = \
	$(top_srcdir)/hypervisor/acpi.c $(top_srcdir)/hypervisor/console.c $(top_srcdir)/hypervisor/cpuid.c \
	$(top_srcdir)/hypervisor/evtchn.c $(top_srcdir)/hypervisor/evtglue.c \
	$(top_srcdir)/hypervisor/evtgntop.c $(top_srcdir)/hypervisor/gnttab.c \
	$(top_srcdir)/hypervisor/compat.c \
	$(top_srcdir)/hypervisor/guestmem.c $(top_srcdir)/hypervisor/hcpatch.c \
	$(top_srcdir)/hypervisor/hvmop.c \
	$(top_srcdir)/hypervisor/hypercall.c $(top_srcdir)/hypervisor/loader.c \
	$(top_srcdir)/hypervisor/memop.c $(top_srcdir)/hypervisor/physmap.c \
	$(top_srcdir)/hypervisor/sched.c $(top_srcdir)/hypervisor/time.c \
	$(top_srcdir)/hypervisor/vcpuop.c $(top_srcdir)/hypervisor/xenver.c
FUZZ_HV_DEPS = $(hypervisor_libhv_core_a_SOURCES) $(hypervisor_libhv_evtgnt_a_SOURCES) $(HV_FAKE) config.h
EXTRA_DIST += tests/fuzz/fuzz_hv_loader.c tests/fuzz/fuzz_hv_hypercall.c \
	tests/fuzz/fuzz_hv_loader.sh tests/fuzz/fuzz_hv_hypercall.sh tests/fuzz/hv_loader_corpus
TESTS += tests/fuzz/fuzz_hv_loader.sh tests/fuzz/fuzz_hv_hypercall.sh
CLEANFILES += tests/fuzz/fuzz_hv_loader tests/fuzz/fuzz_hv_hypercall
if HAVE_LIBFUZZER
FUZZ_TARGETS += tests/fuzz/fuzz_hv_loader tests/fuzz/fuzz_hv_hypercall
check_SCRIPTS += tests/fuzz/fuzz_hv_loader tests/fuzz/fuzz_hv_hypercall
tests/fuzz/fuzz_hv_loader: tests/fuzz/fuzz_hv_loader.c $(FUZZ_HV_DEPS)
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -pthread -I$(top_srcdir)/hypervisor -o $@ \
		$(top_srcdir)/tests/fuzz/fuzz_hv_loader.c $(top_srcdir)/hypervisor/loader.c \
		$(top_srcdir)/hypervisor/acpi.c $(top_srcdir)/hypervisor/hcpatch.c \
		$(top_srcdir)/hypervisor/guestmem.c
tests/fuzz/fuzz_hv_hypercall: tests/fuzz/fuzz_hv_hypercall.c $(FUZZ_HV_DEPS)
	$(AM_V_CC)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -pthread -I$(top_srcdir)/hypervisor \
		-I$(top_srcdir)/tests/unit $(UUID_CFLAGS) -o $@ \
		$(top_srcdir)/tests/fuzz/fuzz_hv_hypercall.c $(top_srcdir)/tests/unit/test_hv_platform.c \
		$(FUZZ_HV_CORE) $(UUID_LIBS)
endif

# --- System tests of shoji-hv itself (the guest engineer's guest-*.sh use run mode). ---
check_PROGRAMS += tests/system/hv-ctrl-client
tests_system_hv_ctrl_client_SOURCES = tests/system/hv-ctrl-client.c
tests_system_hv_ctrl_client_CPPFLAGS = $(AM_CPPFLAGS)
tests_system_hv_ctrl_client_LDADD = dom0-tools/libctrl/libshoji-ctrl.la
TESTS += tests/system/hv-ctrl.sh tests/system/hv-run.sh
EXTRA_DIST += tests/system/hv-ctrl.sh tests/system/hv-run.sh

# --- Benchmarks (make bench). ---
noinst_PROGRAMS += tests/bench/hv_bench
tests_bench_hv_bench_SOURCES = tests/bench/hv_bench.c
tests_bench_hv_bench_CFLAGS = $(AM_CFLAGS) $(UUID_CFLAGS) -I$(top_srcdir)/hypervisor $(UTIL_CPPFLAGS)
tests_bench_hv_bench_LDADD = hypervisor/libhv-kvm.a hypervisor/libhv-core.a hypervisor/libhv-evtgnt.a \
	$(UTIL_LIB) $(UUID_LIBS)
BENCH_BINS += tests/bench/hv_bench tests/guests/bench-hypercall tests/guests/idle
BENCH_RUNS += "tests/bench/hv_bench tests/guests/hello tests/guests/bench-hypercall tests/guests/idle"

dist_man_MANS += hypervisor/shoji-hv.8

# The 32-bit hypercall layouts, checked against Xen's headers compiled with -m32.
TESTS += tests/headers/xen-compat.sh
EXTRA_DIST += tests/headers/xen-compat.sh
