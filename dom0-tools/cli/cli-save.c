/*
 * `shoji save` and `shoji restore` (as xl save / xl restore).  The CLI
 * opens the file with the user's own rights and passes its descriptor to
 * shojid, which writes or reads the stream (docs/migration-stream.md).
 * save writes to a temporary file in FILE's directory and renames it into
 * place only after shojid's success, so a failed save leaves FILE as it was.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct save_opts {
	bool keep, paused, json;
	const char *operand[2];
	int n;
};

/* --keep, --paused (when the usage names them), --json, --help and n operands. */
static int parse(const struct cli_command *cmd, const struct cli_ctx *ctx, int argc, char **argv,
                 int n, struct save_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->json = ctx->json;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(stdout, cmd);
			return -1;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--keep") && strstr(cmd->usage, "--keep")) {
			o->keep = true;
		} else if ((!strcmp(a, "--paused") || !strcmp(a, "-p")) &&
		           strstr(cmd->usage, "--paused")) {
			o->paused = true;
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++) {
				if (o->n == n)
					return cli_usage_error(cmd, "too many operands");
				o->operand[o->n++] = argv[i];
			}
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error(cmd, "unknown option '%s'", a);
		} else if (o->n == n) {
			return cli_usage_error(cmd, "too many operands");
		} else {
			o->operand[o->n++] = a;
		}
	}
	if (o->n < n)
		return cli_usage_error(cmd, "missing operand");
	return CLI_EXIT_OK;
}

/* The directory part of path, and a temporary name in it ("DIR/.BASE.XXXXXX"), malloc'd. */
static int temp_names(const char *path, char **dir, char **tmp)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	*dir = slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path)))
	             : strdup(".");
	*tmp = NULL;
	if (!*dir || asprintf(tmp, "%s/.%s.XXXXXX", *dir, base) < 0) {
		free(*dir);
		*dir = NULL;
		*tmp = NULL;
		return -1;
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int cli_cmd_save(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("save");
	struct api_req req = {0};
	struct save_opts o;
	const struct api_save_reply *r;
	char *dir = NULL, *tmp = NULL, *reply = NULL;
	const char *name, *file;
	size_t len = 0;
	struct stat st;
	int fd = -1, rc;

	rc = parse(cmd, ctx, argc, argv, 2, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	name = o.operand[0];
	file = o.operand[1];
	if (!name[0] || strlen(name) > API_NAME_MAX)
		return cli_usage_error(cmd, "'%s' is not a domain name or id", name);
	if (!file[0] || file[strlen(file) - 1] == '/')
		return cli_usage_error(cmd, "'%s' is not a file name", file);
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "shoji save: %s is a directory\n", file);
		return CLI_EXIT_FAILED;
	}
	if (temp_names(file, &dir, &tmp) < 0) {
		fprintf(stderr, "shoji save: out of memory\n");
		return CLI_EXIT_FAILED;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		fprintf(stderr, "shoji save: cannot create a file in %s: %s\n", dir,
		        strerror(errno));
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	snprintf(req.target, sizeof(req.target), "%s", name);
	req.flags = o.keep ? API_F_KEEP : 0;
	rc = cli_request_fds(API_SAVE, &req, NULL, &fd, 1, name, &reply, &len);
	if (!rc && len != sizeof(*r)) {
		fprintf(stderr, "shoji: shojid sent a malformed reply\n");
		rc = CLI_EXIT_FAILED;
	}
	if (rc) {
		unlink(tmp);
		goto out;
	}
	/* shojid synced the file before the domain went; what is left is the name. */
	if (fsync(fd) < 0 || rename(tmp, file) < 0) {
		fprintf(stderr, "shoji save: cannot put the saved domain in place as %s: %s%s%s\n",
		        file, strerror(errno), o.keep ? "" : "; it is in ", o.keep ? "" : tmp);
		if (o.keep)
			unlink(tmp);
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	sync_dir(dir);
	r = (const void *)reply;
	if (o.json) {
		printf("{\"name\": ");
		cli_json_string(stdout, name);
		printf(", \"file\": ");
		cli_json_string(stdout, file);
		printf(", \"pages\": %" PRIu64 ", \"zero_pages\": %" PRIu64 ", \"bytes\": %" PRIu64
		       ", \"kept\": %s}\n",
		       r->pages, r->zero_pages, r->bytes, o.keep ? "true" : "false");
	} else {
		printf("Domain '%s' saved to %s (%" PRIu64 " pages, %" PRIu64
		       " zero pages, %" PRIu64 " bytes)%s\n",
		       name, file, r->pages, r->zero_pages, r->bytes, o.keep ? "; it runs on" : "");
	}
out:
	if (fd >= 0)
		close(fd);
	free(reply);
	free(dir);
	free(tmp);
	return rc;
}

int cli_cmd_restore(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("restore");
	struct api_req req = {0};
	struct save_opts o;
	const struct api_restore_reply *r;
	char *reply = NULL, uuid[37];
	size_t len = 0;
	int fd, rc;

	rc = parse(cmd, ctx, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	fd = open(o.operand[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "shoji restore: cannot open %s: %s\n", o.operand[0],
		        strerror(errno));
		return CLI_EXIT_FAILED;
	}
	req.flags = o.paused ? API_F_PAUSED : 0;
	rc = cli_request_fds(API_RESTORE, &req, NULL, &fd, 1, o.operand[0], &reply, &len);
	close(fd);
	if (!rc && len != sizeof(*r)) {
		fprintf(stderr, "shoji: shojid sent a malformed reply\n");
		rc = CLI_EXIT_FAILED;
	}
	if (rc) {
		free(reply);
		return rc;
	}
	r = (const void *)reply;
	if (o.json) {
		uuid_unparse_lower(r->info.uuid, uuid);
		printf("{\"name\": ");
		cli_json_string(stdout, r->info.name);
		printf(", \"id\": %" PRIu32 ", \"saved_id\": %" PRIu32
		       ", \"uuid\": \"%s\", \"state\": \"%s\"}\n",
		       r->info.domid, r->saved_domid, uuid, cli_state_name(r->info.state));
	} else {
		printf("Domain '%s' restored (id %" PRIu32 ")%s", r->info.name, r->info.domid,
		       o.paused ? ", paused" : "");
		if (r->info.domid != r->saved_domid)
			printf("; it was saved as id %" PRIu32 ", which is taken", r->saved_domid);
		printf("\n");
	}
	free(reply);
	return CLI_EXIT_OK;
}
