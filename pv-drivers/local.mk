# pv-drivers: build fragment (paths relative to the top of the tree).

# --- Guest runtime: freestanding x86-64 PVH code, see pv-drivers/guest/shoji-guest.h ---

noinst_LIBRARIES += pv-drivers/guest/libshoji-guest.a
pv_drivers_guest_libshoji_guest_a_SOURCES = \
	pv-drivers/guest/start.c \
	pv-drivers/guest/hypercall.c \
	pv-drivers/guest/console.c \
	pv-drivers/guest/time.c \
	pv-drivers/guest/sched.c \
	pv-drivers/guest/timer.c \
	pv-drivers/guest/irq.c \
	pv-drivers/guest/alloc.c \
	pv-drivers/guest/string.c \
	pv-drivers/guest/smp.c \
	pv-drivers/guest/evtchn.c \
	pv-drivers/guest/gnttab.c \
	pv-drivers/guest/xenstore.c \
	pv-drivers/guest/pvconsole.c \
	pv-drivers/guest/shoji-guest.h \
	pv-drivers/guest/guest-internal.h \
	pv-drivers/guest/vectors.h
pv_drivers_guest_libshoji_guest_a_CFLAGS = $(GUEST_CFLAGS)

# configure.ac has no AM_PROG_AS, so automake cannot compile .S sources:
# these two are assembled by explicit rules (the compiler driver runs cpp).
GUEST_ASM_OBJS = pv-drivers/guest/entry.o pv-drivers/guest/vectors.o
pv_drivers_guest_libshoji_guest_a_LIBADD = $(GUEST_ASM_OBJS)
EXTRA_DIST += pv-drivers/guest/entry.S pv-drivers/guest/vectors.S
CLEANFILES += $(GUEST_ASM_OBJS)
GUEST_ASM_COMPILE = $(AM_V_CC)$(MKDIR_P) pv-drivers/guest && \
	$(CC) $(AM_CPPFLAGS) $(CPPFLAGS) -D__ASSEMBLY__ $(GUEST_CFLAGS) $(CFLAGS) -c -o $@
pv-drivers/guest/entry.o: $(top_srcdir)/pv-drivers/guest/entry.S
	$(GUEST_ASM_COMPILE) $(top_srcdir)/pv-drivers/guest/entry.S
pv-drivers/guest/vectors.o: $(top_srcdir)/pv-drivers/guest/vectors.S \
		$(top_srcdir)/pv-drivers/guest/vectors.h
	$(GUEST_ASM_COMPILE) $(top_srcdir)/pv-drivers/guest/vectors.S

# What a guest program needs: compile with GUEST_PROG_CPPFLAGS and
# $(GUEST_CFLAGS), link with GUEST_PROG_LINK, LDADD/DEPENDENCIES as below.
GUEST_LDS = $(top_srcdir)/pv-drivers/guest/guest.lds
GUEST_RUNTIME = pv-drivers/guest/libshoji-guest.a
GUEST_PROG_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pv-drivers/guest
# clang warns that -no-pie (in GUEST_LDFLAGS) is unused next to -static, and
# GUEST_LINK passes -Werror: silence that one driver warning (gcc ignores
# unknown -Wno-* options).
GUEST_PROG_LINK = $(GUEST_LINK) -Wno-unused-command-line-argument -T $(GUEST_LDS)
GUEST_PROG_DEPS = $(GUEST_RUNTIME) $(GUEST_LDS)
EXTRA_DIST += pv-drivers/guest/guest.lds pv-drivers/guest/README.md

include $(srcdir)/tests/guests/local.mk
include $(srcdir)/pv-drivers/backends.mk
