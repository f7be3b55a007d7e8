/*
 * mkdir-p: create a directory and its missing parents, for the Dom0 daemons
 * (shoji-xenstored, shoji-consoled).  Private to them: not in any library.
 */
#ifndef SHOJI_DOM0_MKDIR_P_H
#define SHOJI_DOM0_MKDIR_P_H

#include <sys/types.h>

/*
 * Create each directory along path (mode before the umask; existing ones are
 * left as they are; "" creates nothing).  0, or -1 with errno and path cut
 * short at the directory that could not be created.  path is the caller's
 * writable copy.
 */
int mkdir_p(char *path, mode_t mode);

#endif
