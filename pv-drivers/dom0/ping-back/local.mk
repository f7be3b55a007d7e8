# pv-drivers/dom0/ping-back: the example "ping" backend (docs/writing-a-pv-driver.md);
# its frontend is pv-drivers/guest/ping-front, the protocol include/proto/ping.h.
noinst_PROGRAMS += pv-drivers/dom0/ping-back/shoji-pingback
pv_drivers_dom0_ping_back_shoji_pingback_SOURCES = pv-drivers/dom0/ping-back/ping-back.c \
	include/proto/ping.h
pv_drivers_dom0_ping_back_shoji_pingback_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS)
pv_drivers_dom0_ping_back_shoji_pingback_LDADD = pv-drivers/dom0/libbackend/libshoji-backend.la $(EVENT_LIBS)

