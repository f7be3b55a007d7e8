/* mkdir-p: create a directory and its missing parents (see mkdir-p.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mkdir-p.h"

int mkdir_p(char *path, mode_t mode)
{
	size_t len = strlen(path);

	for (size_t i = 1; i <= len; i++) {
		char c = path[i];

		if (c != '/' && c != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, mode) != 0 && errno != EEXIST)
			return -1;
		path[i] = c;
	}
	return 0;
}
