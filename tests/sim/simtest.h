/*
 * What hvsim's Check tests share (not part of hvsim's API): a private
 * directory with hvsim and a shoji-xenstored in it, Dom0 daemons started
 * against them, and waiting for what those daemons write.  Failures are
 * Check assertions.
 */
#ifndef SHOJI_SIMTEST_H
#define SHOJI_SIMTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <shoji/io/xenbus.h>
#include <shoji/xs.h>

#include "hvsim.h"

#define SIMTEST_WAIT_MS 10000 /* the longest any wait of a test may take */

struct simtest {
	char dir[64]; /* private, removed by simtest_end() */
	char xs_socket[96];
	struct hvsim *sim;
	struct shoji_xs *xs; /* a Dom0 (privileged) client */
	pid_t xsd_pid;
};

/* Make @t's directory (/tmp/@name.XXXXXX), start hvsim and shoji-xenstored in it. */
void simtest_begin(struct simtest *t, const char *name);
/* Stop what simtest_begin() started and remove the directory. */
void simtest_end(struct simtest *t);

/* $top_builddir/@rel, the path of a built program, in @buf. */
const char *simtest_built(char *buf, size_t len, const char *rel);
/* Start @argv, its stderr to file @log (NULL: ours); it is killed if the test process dies. */
pid_t simtest_spawn(char *const argv[], const char *log);
/*
 * SIGTERM *@pid and reap it (nothing when -1); *@pid becomes -1.  Returns
 * its wait status: 0 for a clean exit (a sanitizer's report makes it
 * non-zero), when its stderr file @log (may be NULL) is copied to ours.
 */
int simtest_stop(pid_t *pid, const char *log);
/* Whether our child @pid still runs. */
bool simtest_alive(pid_t pid);

/* A Dom0 xenstore client of the shoji-xenstored that is starting on socket @path. */
struct shoji_xs *simtest_xs_open(const char *path);
/* Wait until @path exists. */
void simtest_wait_path(const char *path);
/* Wait until file @path has @what in one of its lines. */
void simtest_wait_file(const char *path, const char *what);

/* Write printf-formatted @fmt to xenstore node @dir/@node (@node NULL: @dir itself). */
void simtest_put(struct simtest *t, const char *dir, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * A PV device as the toolstack lays it out before the guest runs:
 * frontend /local/domain/@domid/device/@type/@devid (backend, backend-id,
 * state Initialising) and backend /local/domain/0/backend/@type/@domid/@devid
 * (frontend-id, state, and last "frontend", which makes a libshoji-backend
 * class pick the device up).  The two paths go to @fe and @be (64 bytes).
 */
void simtest_device(struct simtest *t, const char *type, uint32_t domid, uint32_t devid,
                    char fe[64], char be[64]);
/* Wait until xenbus node @dir/state reads @state. */
void simtest_wait_state(struct simtest *t, const char *dir, enum xenbus_state state);

#endif
