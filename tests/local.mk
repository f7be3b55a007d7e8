# tests: shared harness pieces.  Each component's tests are listed in its own
# fragment (hypervisor/local.mk, xenstore/local.mk, ...) under tests/<level>/.

# The shared end of every check-based unit test's main() (tests/unit/test_*.c).
EXTRA_DIST += tests/unit/check-run.h

# hvsim: shoji-hv without KVM, for Dom0 backend tests.
include $(srcdir)/tests/sim/local.mk
