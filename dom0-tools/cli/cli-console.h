/*
 * cli-console.h: `shoji console`, the client of shoji-consoled's
 * per-domain sockets (owned by the PV console engineer).
 */
#ifndef SHOJI_CLI_CONSOLE_H
#define SHOJI_CLI_CONSOLE_H

#include "cli.h"

#define CLI_CONSOLE_ESCAPE 0x1d /* Ctrl-] detaches unless --escape says otherwise */

int cli_cmd_console(struct cli_ctx *ctx, int argc, char **argv);
/*
 * Attach the terminal to domain domid's console under run_dir (NULL: the
 * default), waiting up to wait_ms for the console to appear; @escape on
 * input detaches.  A CLI_EXIT_*.
 */
int cli_console_attach(uint32_t domid, const char *run_dir, unsigned int wait_ms, char escape);
/* The character --escape names ("^]" or one character), or -1. */
int cli_console_escape(const char *s);

#endif
