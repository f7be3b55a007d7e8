/*
 * pidfile: a daemon's own pid file (shojid, shoji-xenstored).
 */
#ifndef SHOJI_UTIL_PIDFILE_H
#define SHOJI_UTIL_PIDFILE_H

/*
 * Write this process's id and a newline to path, mode 0644.  The file is
 * replaced atomically: a reader sees the old content or the whole new one.
 * 0, or -1 with errno (path is then left as it was).
 */
int pidfile_write(const char *path);

#endif
