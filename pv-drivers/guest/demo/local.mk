# pv-drivers/guest/demo: the demo guest (installed, for examples/demo.xml).
guestsdir = $(pkglibdir)/guests
guests_PROGRAMS = pv-drivers/guest/demo/demo
pv_drivers_guest_demo_demo_SOURCES = pv-drivers/guest/demo/demo.c
pv_drivers_guest_demo_demo_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
pv_drivers_guest_demo_demo_CFLAGS = $(GUEST_CFLAGS)
pv_drivers_guest_demo_demo_LDADD = $(GUEST_RUNTIME)
pv_drivers_guest_demo_demo_DEPENDENCIES = $(GUEST_PROG_DEPS)
pv_drivers_guest_demo_demo_LINK = $(GUEST_PROG_LINK)

