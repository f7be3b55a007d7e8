/*
 * The shoji CLI: command table, shared helpers and exit codes.
 * Commands print; nothing below them (libraries) does.
 */
#ifndef SHOJI_CLI_H
#define SHOJI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "domxml.h"

/* Exit codes, documented in shoji(1). */
enum {
	CLI_EXIT_OK = 0,        /* the operation succeeded */
	CLI_EXIT_FAILED = 1,    /* the operation failed (e.g. an invalid file) */
	CLI_EXIT_USAGE = 2,     /* bad command line */
	CLI_EXIT_NO_DOMAIN = 3, /* no such domain (cli-domain.c) */
	CLI_EXIT_NO_DAEMON = 4, /* shojid cannot be reached */
	CLI_EXIT_TIMEOUT = 5,   /* shutdown/reboot --wait timed out */
};

/* Options that apply before the command name. */
struct cli_ctx {
	bool json; /* --json given before the command */
};

struct cli_command {
	const char *name;
	/* argv[0] is the command name; returns a CLI_EXIT_* code. */
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
	const char *summary; /* one line for `shoji help` */
	const char *usage;   /* arguments after the command name */
	const char *help;    /* the long help for `shoji help CMD` */
	bool json;           /* accepts --json */
	bool interleaved; /* options may follow the operands (block-attach NAME SRC TGT --mode r) */
};

/* The command table, terminated by an entry with a NULL name. */
extern const struct cli_command cli_commands[];

const struct cli_command *cli_find(const char *name);

/* The closest command name to name (for "did you mean"), or NULL. */
const char *cli_suggest(const char *name);

/* Prints "shoji CMD: <message>" and the command's usage to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the global usage and the command list to out. */
void cli_print_overview(FILE *out);

/* Prints the usage line and long help of cmd to out. */
void cli_print_help(FILE *out, const struct cli_command *cmd);

/* The schema to validate domain files with: $SHOJI_SCHEMA, the installed one,
 * or the one in the source tree (running from a build directory); NULL if
 * none is readable. */
const char *cli_schema_path(void);
/* PATH made absolute against the current directory (malloc'd; NULL on ENOMEM). */
char *cli_absolute_path(const char *path);

/* JSON output helpers. */
void cli_json_string(FILE *out, const char *s);
void cli_json_config(FILE *out, const struct domain_config *cfg);

int cli_cmd_help(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_validate(struct cli_ctx *ctx, int argc, char **argv);

/* Talking to shojid (cli-client.c, cli-domain.c). */
#include <stdint.h>

#include "proto/shojid-api.h"
const char *cli_socket_path(void);
int cli_connect(int *fd);
int cli_send(int fd, uint16_t type, const struct api_req *req, const char *text);
/* cli_send() with @nfds (at most API_MAX_FDS) descriptors: the request's files, opened by the user. */
int cli_send_fds(int fd, uint16_t type, const struct api_req *req, const char *text, const int *fds,
                 unsigned int nfds);
int cli_recv(int fd, struct api_hdr *h, char **payload);
int cli_status_exit(int status);
/* One request and its reply; errors printed as "shoji: WHAT: message". */
int cli_request(uint16_t type, const struct api_req *req, const char *text, const char *what,
                char **reply, size_t *len);
/* cli_request() that sends @nfds descriptors @fds with the request (cli_send_fds). */
int cli_request_fds(uint16_t type, const struct api_req *req, const char *text, const int *fds,
                    unsigned int nfds, const char *what, char **reply, size_t *len);
int cli_cmd_create(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_define(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_domain(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_list(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_info(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_stop(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_set(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_text(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_events(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_dump_core(struct cli_ctx *ctx, int argc, char **argv);
/* domid, domname, domuuid; rename; sysrq (cli-domain.c). */
int cli_cmd_ident(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_rename(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_sysrq(struct cli_ctx *ctx, int argc, char **argv);
/* The domains (with all, the defined ones that do not run too), sorted by id; *v is
 * malloc'd.  Errors are printed; returns a CLI_EXIT_* code. */
int cli_list(bool all, struct api_dominfo **v, size_t *n);
/* A domain's state as the CLI shows it ("running", "shut off", ...). */
const char *cli_state_name(uint32_t state);
/* Seconds since the domain started (0 when unknown), and as [Dd ]HH:MM:SS. */
uint64_t cli_uptime_s(const struct api_dominfo *d);
void cli_format_uptime(uint64_t s, char buf[32]);
/* vcpu-list, vcpu-pin (cli-vcpu.c). */
int cli_cmd_vcpu_list(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_vcpu_pin(struct cli_ctx *ctx, int argc, char **argv);
/* save, restore (cli-save.c). */
int cli_cmd_save(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_restore(struct cli_ctx *ctx, int argc, char **argv);
/* host-info (cli-host.c); domstats, top (cli-stats.c). */
int cli_cmd_host_info(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_domstats(struct cli_ctx *ctx, int argc, char **argv);
int cli_cmd_top(struct cli_ctx *ctx, int argc, char **argv);
/* block-attach, -detach, -list and network-attach, -detach, -list (cli-domain.c). */
int cli_cmd_device(struct cli_ctx *ctx, int argc, char **argv);
/* The disks of domain NAME as `shoji info` shows them (a defined domain's too). */
void cli_info_disks(const char *name, bool json);
/* The interfaces of domain NAME as `shoji info` shows them (a defined domain's too). */
void cli_info_nics(const char *name, bool json);

#endif
