/*
 * shoji-xenstore: command-line access to xenstore through libshoji-xs.
 * One command table; each entry carries its usage line and help.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/xs.h>

#define EXIT_USAGE 2

struct cmd {
	const char *name;
	const char *args;
	const char *help;
	int min_args;
	int (*fn)(struct shoji_xs *h, int argc, char **argv);
};

static int report(const char *what, const char *path)
{
	fprintf(stderr, "shoji-xenstore: %s %s: %s\n", what, path, strerror(errno));
	return EXIT_FAILURE;
}

static int cmd_read(struct shoji_xs *h, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		unsigned int len;
		char *v = shoji_xs_read(h, SHOJI_XS_NO_TX, argv[i], &len);

		if (!v)
			return report("read", argv[i]);
		fwrite(v, 1, len, stdout);
		putchar('\n');
		free(v);
	}
	return 0;
}

static int cmd_write(struct shoji_xs *h, int argc, char **argv)
{
	int i;

	if (argc % 2) {
		fprintf(stderr, "shoji-xenstore: write wants PATH VALUE pairs\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i += 2)
		if (shoji_xs_write(h, SHOJI_XS_NO_TX, argv[i], argv[i + 1],
		                   (unsigned int)strlen(argv[i + 1])) != 0)
			return report("write", argv[i]);
	return 0;
}

static int cmd_rm(struct shoji_xs *h, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (shoji_xs_rm(h, SHOJI_XS_NO_TX, argv[i]) != 0)
			return report("rm", argv[i]);
	return 0;
}

static int cmd_exists(struct shoji_xs *h, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		unsigned int len;
		char *v = shoji_xs_read(h, SHOJI_XS_NO_TX, argv[i], &len);

		if (!v)
			return errno == ENOENT ? EXIT_FAILURE : report("exists", argv[i]);
		free(v);
	}
	return 0;
}

static int cmd_list(struct shoji_xs *h, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		unsigned int n, j;
		char **v = shoji_xs_directory(h, SHOJI_XS_NO_TX, argv[i], &n);

		if (!v)
			return report("list", argv[i]);
		for (j = 0; j < n; j++)
			puts(v[j]);
		free(v);
	}
	return 0;
}

/* Print path's subtree, one "name = "value"" line per node, indented by depth. */
static int ls_tree(struct shoji_xs *h, const char *path, int depth)
{
	unsigned int n, j;
	char **v = shoji_xs_directory(h, SHOJI_XS_NO_TX, path, &n);
	int ret = 0;

	if (!v)
		return report("ls", path);
	for (j = 0; j < n && ret == 0; j++) {
		size_t plen = strlen(path);
		char *child = malloc(plen + strlen(v[j]) + 2);
		unsigned int len;
		char *val;

		if (!child) {
			ret = report("ls", path);
			break;
		}
		sprintf(child, "%s%s%s", path, (plen && path[plen - 1] == '/') ? "" : "/", v[j]);
		val = shoji_xs_read(h, SHOJI_XS_NO_TX, child, &len);
		printf("%*s%s = \"", depth, "", v[j]);
		if (val) {
			unsigned int k;

			for (k = 0; k < len; k++) {
				unsigned char c = (unsigned char)val[k];

				if (c == '"' || c == '\\')
					printf("\\%c", c);
				else if (c < 32 || c > 126)
					printf("\\x%02x", c);
				else
					putchar(c);
			}
		}
		printf("\"\n");
		free(val);
		ret = ls_tree(h, child, depth + 1);
		free(child);
	}
	free(v);
	return ret;
}

static int cmd_ls(struct shoji_xs *h, int argc, char **argv)
{
	return ls_tree(h, argc ? argv[0] : "/", 0);
}

static int parse_perm(const char *s, struct shoji_xs_perm *p)
{
	static const char letters[] = "nrwb";
	const char *l = s[0] ? strchr(letters, s[0]) : NULL;
	char *end;
	unsigned long id;

	if (!l || !s[1])
		return -1;
	errno = 0;
	id = strtoul(s + 1, &end, 10);
	if (*end || errno || id > UINT32_MAX)
		return -1;
	p->perms = (uint32_t)(l - letters);
	p->domid = (uint32_t)id;
	return 0;
}

static int cmd_chmod(struct shoji_xs *h, int argc, char **argv)
{
	struct shoji_xs_perm *p = calloc((size_t)argc, sizeof(*p));
	int i, ret = 0;

	if (!p)
		return report("chmod", argv[0]);
	for (i = 1; i < argc; i++) {
		if (parse_perm(argv[i], &p[i - 1]) != 0) {
			fprintf(stderr,
			        "shoji-xenstore: bad permission '%s' (want n|r|w|b<domid>)\n",
			        argv[i]);
			free(p);
			return EXIT_USAGE;
		}
	}
	if (shoji_xs_set_perms(h, SHOJI_XS_NO_TX, argv[0], p, (unsigned int)argc - 1) != 0)
		ret = report("chmod", argv[0]);
	free(p);
	return ret;
}

/* One line per PATH: its permissions as chmod takes them (owner first). */
static int cmd_perms(struct shoji_xs *h, int argc, char **argv)
{
	static const char letters[] = "nrwb";
	int i, ret = 0;

	for (i = 0; i < argc; i++) {
		unsigned int n, k;
		struct shoji_xs_perm *p = shoji_xs_get_perms(h, SHOJI_XS_NO_TX, argv[i], &n);

		if (!p) {
			ret = report("perms", argv[i]);
			continue;
		}
		for (k = 0; k < n; k++)
			printf("%s%c%u", k ? " " : "", p[k].perms < 4 ? letters[p[k].perms] : '?',
			       p[k].domid);
		printf("\n");
		free(p);
	}
	return ret;
}

static int cmd_watch(struct shoji_xs *h, int argc, char **argv)
{
	long count = -1;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			count = strtol(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "shoji-xenstore: watch PATH [-n COUNT]\n");
			return EXIT_USAGE;
		}
	}
	if (shoji_xs_watch(h, argv[0], "shoji-xenstore") != 0)
		return report("watch", argv[0]);
	while (count != 0) {
		unsigned int n;
		char **ev = shoji_xs_read_watch(h, &n);

		if (!ev)
			return report("watch", argv[0]);
		printf("%s\n", ev[SHOJI_XS_WATCH_PATH]);
		fflush(stdout);
		free(ev);
		if (count > 0)
			count--;
	}
	return 0;
}

static const struct cmd cmds[] = {
    {"read", "PATH...", "print the value of each PATH", 1, cmd_read},
    {"write", "PATH VALUE...", "set each PATH to VALUE (creating parents)", 2, cmd_write},
    {"ls", "[PATH]", "print the tree below PATH (default /) with values", 0, cmd_ls},
    {"list", "PATH...", "print the names of PATH's children", 1, cmd_list},
    {"rm", "PATH...", "remove each PATH and everything below it", 1, cmd_rm},
    {"exists", "PATH...", "exit 0 if every PATH exists, 1 if one does not", 1, cmd_exists},
    {"chmod", "PATH PERM...", "set PATH's permissions (n|r|w|b<domid>; first = owner)", 2,
     cmd_chmod},
    {"perms", "PATH...", "print each PATH's permissions, as chmod takes them", 1, cmd_perms},
    {"watch", "PATH [-n COUNT]", "print the path of each change below PATH", 1, cmd_watch},
};

/* Prints the usage to f; returns status, the exit status to go with it. */
static int usage(FILE *f, int status)
{
	size_t i;

	fprintf(f, "usage: shoji-xenstore [--socket PATH] COMMAND ARGS...\n"
	           "The socket defaults to $SHOJI_XENSTORED_PATH or " SHOJI_XS_DEFAULT_SOCKET
	           ".\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-7s %-16s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *sock = NULL;
	const struct cmd *cmd = NULL;
	struct shoji_xs *h;
	size_t i;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind >= argc)
		return usage(stderr, EXIT_USAGE);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (!cmd) {
		fprintf(stderr, "shoji-xenstore: unknown command '%s'\n", argv[optind]);
		return usage(stderr, EXIT_USAGE);
	}
	if (argc - optind - 1 < cmd->min_args) {
		fprintf(stderr, "usage: shoji-xenstore %s %s\n", cmd->name, cmd->args);
		return EXIT_USAGE;
	}
	h = shoji_xs_open(sock);
	if (!h) {
		fprintf(stderr, "shoji-xenstore: cannot connect to %s: %s\n",
		        sock ? sock : "xenstored", strerror(errno));
		return EXIT_FAILURE;
	}
	ret = cmd->fn(h, argc - optind - 1, argv + optind + 1);
	shoji_xs_close(h);
	return ret;
}
