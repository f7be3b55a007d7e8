/* Helpers for the Dom0 test programs: boot a test guest through libshoji-ctrl, read its console. */
#ifndef SHOJI_TESTS_DOM0_UTIL_H
#define SHOJI_TESTS_DOM0_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <shoji/ctrl.h>

struct shoji_gnttab;

struct dom0_guest {
	struct shoji_ctrl *ctrl;
	uint32_t domid;
	uint64_t con_pos;
	char con[65536]; /* console text read so far */
	size_t con_len;
};

/* The program name for messages; set by main. */
extern const char *dom0_prog;

/* Print "<prog>: FAIL <msg>" and exit 1. */
void dom0_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Create a 32 MiB one-vCPU domain from @image with @cmdline and unpause it (fails on error). */
void dom0_guest_start(struct dom0_guest *g, const char *sock, const char *image,
                      const char *cmdline);
/* Append new console output to g->con; the number of new bytes (0 also when g->con is full). */
size_t dom0_console_poll(struct dom0_guest *g);
/*
 * Wait up to @ms for a console line starting with @prefix; returns the
 * line (NUL-terminated, inside g->con) or fails.
 */
const char *dom0_console_wait(struct dom0_guest *g, const char *prefix, unsigned int ms);
/*
 * Start the gnttab-dom0 guest @image (as dom0_guest_start) and wait up to 30 s
 * for the grant it announces ("gnttab-dom0: domid=D ref=R gfn=0xG"); fails
 * unless the line parses and D is g's domain.  @gfn may be NULL.
 */
void dom0_grant_guest_start(struct dom0_guest *g, const char *sock, const char *image,
                            const char *cmdline, unsigned int *ref, unsigned long *gfn);
/*
 * The start of main() for "@prog SOCKET GUEST" with the gnttab-dom0 guest:
 * checks the command line (usage on stderr, exit 2; also when @g is NULL),
 * starts GUEST as dom0_grant_guest_start, and opens libshoji-gnttab on
 * SOCKET.  Fails on error.  In dom0-grant-main.c.
 */
struct shoji_gnttab *dom0_grant_main(struct dom0_guest *g, const char *prog, int argc, char **argv,
                                     unsigned int *ref);
/* Wait up to @ms for shutdown/crash; returns the shutdown reason (crash: SHUTDOWN_crash). */
uint32_t dom0_guest_wait_shutdown(struct dom0_guest *g, unsigned int ms);
void dom0_guest_destroy(struct dom0_guest *g);
/* Monotonic time in ns. */
uint64_t dom0_now_ns(void);
/* Wait up to @ms for @fd to become readable: 1 ready, 0 timeout. */
int dom0_wait_fd(int fd, unsigned int ms);

#endif
