# pv-drivers/guest/ping-front: the example "ping" frontend, a guest program.
noinst_PROGRAMS += pv-drivers/guest/ping-front/ping-front
pv_drivers_guest_ping_front_ping_front_SOURCES = pv-drivers/guest/ping-front/ping-front.c include/proto/ping.h
pv_drivers_guest_ping_front_ping_front_CPPFLAGS = $(GUEST_PROG_CPPFLAGS)
pv_drivers_guest_ping_front_ping_front_CFLAGS = $(GUEST_CFLAGS)
pv_drivers_guest_ping_front_ping_front_LDADD = $(GUEST_RUNTIME)
pv_drivers_guest_ping_front_ping_front_DEPENDENCIES = $(GUEST_PROG_DEPS)
pv_drivers_guest_ping_front_ping_front_LINK = $(GUEST_PROG_LINK)
EXTRA_DIST += docs/writing-a-pv-driver.md
