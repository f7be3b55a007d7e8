# pv-drivers/guest/runtime: the freestanding x86-64 PVH guest runtime (libshoji-guest.a)
# and what a guest program needs to build against it.
# --- Guest runtime: freestanding x86-64 PVH code, see pv-drivers/guest/runtime/shoji-guest.h ---

noinst_LIBRARIES += pv-drivers/guest/runtime/libshoji-guest.a
pv_drivers_guest_runtime_libshoji_guest_a_SOURCES = \
	pv-drivers/guest/runtime/start.c \
	pv-drivers/guest/runtime/hypercall.c \
	pv-drivers/guest/runtime/console.c \
	pv-drivers/guest/runtime/time.c \
	pv-drivers/guest/runtime/sched.c \
	pv-drivers/guest/runtime/timer.c \
	pv-drivers/guest/runtime/irq.c \
	pv-drivers/guest/runtime/alloc.c \
	pv-drivers/guest/runtime/string.c \
	pv-drivers/guest/runtime/smp.c \
	pv-drivers/guest/runtime/evtchn.c \
	pv-drivers/guest/runtime/gnttab.c \
	pv-drivers/guest/runtime/xenstore.c \
	pv-drivers/guest/runtime/pvconsole.c \
	pv-drivers/guest/runtime/shoji-guest.h \
	pv-drivers/guest/runtime/guest-internal.h \
	pv-drivers/guest/runtime/vectors.h
pv_drivers_guest_runtime_libshoji_guest_a_CFLAGS = $(GUEST_CFLAGS)

# configure.ac has no AM_PROG_AS, so automake cannot compile .S sources:
# these two are assembled by explicit rules (the compiler driver runs cpp).
GUEST_ASM_OBJS = pv-drivers/guest/runtime/entry.o pv-drivers/guest/runtime/vectors.o
pv_drivers_guest_runtime_libshoji_guest_a_LIBADD = $(GUEST_ASM_OBJS)
EXTRA_DIST += pv-drivers/guest/runtime/entry.S pv-drivers/guest/runtime/vectors.S
CLEANFILES += $(GUEST_ASM_OBJS)
GUEST_ASM_COMPILE = $(AM_V_CC)$(MKDIR_P) pv-drivers/guest/runtime && \
	$(CC) $(AM_CPPFLAGS) $(CPPFLAGS) -D__ASSEMBLY__ $(GUEST_CFLAGS) $(CFLAGS) -c -o $@
pv-drivers/guest/runtime/entry.o: $(top_srcdir)/pv-drivers/guest/runtime/entry.S
	$(GUEST_ASM_COMPILE) $(top_srcdir)/pv-drivers/guest/runtime/entry.S
pv-drivers/guest/runtime/vectors.o: $(top_srcdir)/pv-drivers/guest/runtime/vectors.S \
		$(top_srcdir)/pv-drivers/guest/runtime/vectors.h
	$(GUEST_ASM_COMPILE) $(top_srcdir)/pv-drivers/guest/runtime/vectors.S

# What a guest program needs: compile with GUEST_PROG_CPPFLAGS and
# $(GUEST_CFLAGS), link with GUEST_PROG_LINK, LDADD/DEPENDENCIES as below.
GUEST_LDS = $(top_srcdir)/pv-drivers/guest/runtime/guest.lds
GUEST_RUNTIME = pv-drivers/guest/runtime/libshoji-guest.a
GUEST_PROG_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pv-drivers/guest/runtime
# clang warns that -no-pie (in GUEST_LDFLAGS) is unused next to -static, and
# GUEST_LINK passes -Werror: silence that one driver warning (gcc ignores
# unknown -Wno-* options).
GUEST_PROG_LINK = $(GUEST_LINK) -Wno-unused-command-line-argument -T $(GUEST_LDS)
GUEST_PROG_DEPS = $(GUEST_RUNTIME) $(GUEST_LDS)
EXTRA_DIST += pv-drivers/guest/runtime/guest.lds pv-drivers/guest/runtime/README.md


# The guest SDK, installed for out-of-tree frontends and guests (docs/writing-a-pv-driver.md):
# the header, the library and the linker script under $(pkglibdir)/guest-sdk (never in
# $(libdir): no host program may link them), and shoji-guest.pc naming them.
guestincludedir = $(includedir)/shoji-guest
guestinclude_HEADERS = pv-drivers/guest/runtime/shoji-guest.h
guestsdkdir = $(pkglibdir)/guest-sdk
guestsdk_DATA = $(GUEST_RUNTIME) pv-drivers/guest/runtime/sdk/shoji-guest.lds
pv-drivers/guest/runtime/sdk/shoji-guest.lds: $(GUEST_LDS)
	$(AM_V_GEN)$(MKDIR_P) pv-drivers/guest/runtime/sdk && cp $(GUEST_LDS) $@
CLEANFILES += pv-drivers/guest/runtime/sdk/shoji-guest.lds
pkgconfig_DATA += pv-drivers/guest/runtime/shoji-guest.pc
EXTRA_DIST += pv-drivers/guest/runtime/shoji-guest.pc.in
