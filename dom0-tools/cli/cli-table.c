/*
 * The shoji command table (name, handler, one-line summary, usage, long
 * help) and the help machinery built on it.  A command appears here only
 * when it works.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli-console.h"
#include "cli.h"
#include "strdist.h"

const struct cli_command cli_commands[] = {
    {
        .name = "help",
        .run = cli_cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "[COMMAND]",
        .help = "Without COMMAND, lists every command with a one-line summary.\n"
                "With COMMAND, shows its usage and full help (the same as\n"
                "'shoji COMMAND --help').\n",
    },
    {
        .name = "validate",
        .run = cli_cmd_validate,
        .summary = "check domain XML files",
        .usage = "[--json] [--kernel PATH] [--no-file-checks] FILE...",
        .help = "Parses and checks each FILE as a Shoji domain (shoji-domain.xml(5)):\n"
                "well-formed XML, the RelaxNG schema, then values, units, ranges and\n"
                "files.  Prints 'FILE: valid' for a good file; for a bad one, one line\n"
                "per problem on stderr as 'FILE:LINE: what is wrong'.\n"
                "\n"
                "Relative <kernel>, <initrd> and disk paths are resolved against the\n"
                "directory of the XML file.\n"
                "\n"
                "  --json            print one JSON array on stdout: per file its name,\n"
                "                    whether it is valid, and the parsed configuration\n"
                "                    or the errors (nothing goes to stderr)\n"
                "  --kernel PATH     use PATH instead of <os><kernel> (relative to the\n"
                "                    current directory)\n"
                "  --no-file-checks  do not check that kernel, initrd and disk sources\n"
                "                    exist and are readable\n"
                "\n"
                "Exit status: 0 when every FILE is valid, 1 when one is not, 2 for a\n"
                "bad command line.\n",
        .json = true,
    },
    {
        .name = "create",
        .run = cli_cmd_create,
        .summary = "create and start a domain from an XML file",
        .usage = "[-p|--paused] [-c|--console] [--kernel PATH] FILE",
        .help = "Checks FILE like 'shoji validate' (errors as FILE:LINE: ...), then asks\n"
                "shojid to build the domain and start it.  A failed create leaves nothing\n"
                "behind.\n"
                "\n"
                "  -p, --paused     leave the new domain paused (start it with 'shoji unpause')\n"
                "  -c, --console    attach to its PV console at once, as 'shoji console'\n"
                "  --kernel PATH    use PATH (relative to the current directory) as <kernel>\n",
    },
    {
        .name = "define",
        .run = cli_cmd_define,
        .summary = "store a persistent domain definition",
        .usage = "[--kernel PATH] FILE",
        .help = "Checks FILE and stores it in shojid's state directory; 'shoji start NAME'\n"
                "builds it.  Defining an existing name replaces its definition (a file\n"
                "without <uuid> keeps the defined domain's uuid).\n"
                "\n"
                "  --kernel PATH    use PATH (relative to the current directory) as <kernel>\n",
    },
    {
        .name = "undefine",
        .run = cli_cmd_domain,
        .summary = "remove a domain definition",
        .usage = "NAME",
        .help = "Removes the definition (and its autostart mark); a running domain keeps\n"
                "running, as a transient domain.\n",
    },
    {
        .name = "start",
        .run = cli_cmd_domain,
        .summary = "start a defined domain",
        .usage = "[-p|--paused] NAME",
        .help = "Builds and starts the defined domain NAME.\n"
                "\n"
                "  -p, --paused  leave it paused\n",
    },
    {
        .name = "list",
        .run = cli_cmd_list,
        .summary = "list domains",
        .usage = "[--all] [--json] [--long] [--state-running] [--state-paused] "
                 "[--state-shutoff] [--name GLOB] [--uuid UUID]",
        .help = "Lists the domains shoji-hv runs: name, id, memory target (MiB), vCPUs,\n"
                "state and CPU time in seconds.\n"
                "\n"
                "  --all            also list defined domains that do not run ('shut off')\n"
                "  --json           one JSON array of objects (see shoji(1))\n"
                "  --long           also the uuid, start time (UTC) and uptime\n"
                "  --state-running  only running (or blocked) domains; the --state-*\n"
                "                   options add up\n"
                "  --state-paused   only paused domains\n"
                "  --state-shutoff  only defined domains that do not run (implies --all)\n"
                "  --name GLOB      only names matching the shell pattern GLOB\n"
                "  --uuid UUID      only the domain with that uuid\n",
        .json = true,
    },
    {
        .name = "info",
        .run = cli_cmd_info,
        .summary = "show one domain",
        .usage = "[--json] NAME",
        .help =
            "NAME is a domain name or id.  Shows its id, uuid, state, memory, vCPUs, CPU time,\n"
            "start time (UTC) and uptime when it runs,\n"
            "whether it is persistent and autostarted, its disks (target, type, mode,\n"
            "device, source and, when it runs, the frontend's xenbus state) and its network\n"
            "interfaces (device number, MAC, TAP, bridge, the frontend's xenbus state and\n"
            "the TAP's rx/tx packet and byte counters as the host sees them; '-' while the\n"
            "TAP does not exist).\n"
            "\n"
            "  --json  one JSON object\n",
        .json = true,
    },
    {
        .name = "pause",
        .run = cli_cmd_domain,
        .summary = "pause a domain",
        .usage = "NAME",
        .help = "NAME is a domain name or id.  Stops its vCPUs until 'shoji unpause'.\n",
    },
    {
        .name = "unpause",
        .run = cli_cmd_domain,
        .summary = "unpause a domain",
        .usage = "NAME",
        .help = "NAME is a domain name or id.  Lets a paused domain run again.\n",
    },
    {
        .name = "shutdown",
        .run = cli_cmd_stop,
        .summary = "ask a domain to power off",
        .usage = "[--wait] [--timeout S] [--force] NAME | --all",
        .help = "Writes \"poweroff\" to the domain's control/shutdown; the guest acknowledges\n"
                "and shuts down, then on_poweroff applies.\n"
                "\n"
                "  --wait       wait until the domain has shut down\n"
                "  --timeout S  how long --wait waits (default 60 s); on timeout the\n"
                "               command fails with exit status 5\n"
                "  --force      destroy the domain when the timeout passes (implies --wait);\n"
                "               the command then says it was destroyed\n"
                "  --all        every running domain instead of NAME, one line each\n",
    },
    {
        .name = "reboot",
        .run = cli_cmd_stop,
        .summary = "ask a domain to reboot",
        .usage = "[--wait] [--timeout S] NAME",
        .help = "Writes \"reboot\" to the domain's control/shutdown; on_reboot decides what\n"
                "happens next (restart: the same name with a new id).\n"
                "\n"
                "  --wait       wait until the domain has been restarted\n"
                "  --timeout S  how long --wait waits (default 60 s; exit status 5 after)\n",
    },
    {
        .name = "destroy",
        .run = cli_cmd_domain,
        .summary = "destroy a domain at once",
        .usage = "NAME | --all",
        .help = "NAME is a domain name or id.  Kills the domain without asking the guest and "
                "removes its\n"
                "xenstore entries; its definition, if any, stays.\n"
                "\n"
                "  --all  every running domain instead of NAME, one line each\n",
    },
    {
        .name = "mem-set",
        .run = cli_cmd_set,
        .summary = "set a domain's memory target",
        .usage = "NAME SIZE",
        .help = "Writes SIZE to memory/target (the guest's balloon target).  SIZE is a\n"
                "number with an optional unit K, M or G (KiB, MiB, GiB; default MiB), at\n"
                "most the domain's maximum memory (see mem-max).\n",
    },
    {
        .name = "mem-max",
        .run = cli_cmd_set,
        .summary = "set a domain's maximum memory",
        .usage = "NAME SIZE",
        .help = "Sets the most memory the running domain NAME may balloon up to\n"
                "(memory/static-max; <memory> in its XML).  SIZE as for mem-set.  It lies\n"
                "between the balloon target (lower that first with mem-set) and the\n"
                "memory the domain was built with.\n",
    },
    {
        .name = "vcpu-set",
        .run = cli_cmd_set,
        .summary = "set how many vCPUs a domain should have online",
        .usage = "NAME N",
        .help = "Marks vCPUs 0..N-1 online and the rest offline in cpu/*/availability.\n",
    },
    {
        .name = "dmesg",
        .run = cli_cmd_text,
        .summary = "print a domain's hypervisor console output",
        .usage = "NAME",
        .help = "Prints what the domain wrote with the console_io hypercall (like\n"
                "'xl dmesg' for a domain), as far as shoji-hv's ring still holds it.\n",
    },
    {
        .name = "dumpxml",
        .run = cli_cmd_text,
        .summary = "print a domain's XML",
        .usage = "NAME",
        .help = "Prints the canonical XML of the running domain NAME, or of its\n"
                "definition when it does not run.\n",
    },
    {
        .name = "dump-core",
        .run = cli_cmd_dump_core,
        .summary = "write a domain's memory to an ELF core file",
        .usage = "NAME FILE",
        .help = "Writes the memory of the domain NAME to FILE as an ELF64 core file\n"
                "(like 'xl dump-core'): one PT_LOAD per RAM range at its guest-physical\n"
                "address and each vCPU's registers in an NT_PRSTATUS note, readable\n"
                "with readelf or gdb.  A running domain is paused\n"
                "during the dump and runs again after it; a paused, shut down or\n"
                "crashed one is left as it is.  shojid writes FILE as the calling user,\n"
                "under a temporary name renamed into place, so a failed dump leaves\n"
                "nothing behind.  See shojid(8) for the format.\n",
    },
    {
        .name = "save",
        .run = cli_cmd_save,
        .summary = "save a domain to a file and destroy it",
        .usage = "[--keep] [--json] NAME FILE",
        .help = "Pauses the domain NAME, writes its configuration, xenstore nodes,\n"
                "memory, vCPU and hypervisor state to FILE (as 'xl save'), then destroys\n"
                "it; 'shoji restore FILE' brings it back.  FILE is created with your own\n"
                "rights (mode 0600) under a temporary name in its directory and renamed\n"
                "into place once the save succeeded: a failed save leaves FILE as it was\n"
                "and the domain as it was (running again if it ran).  The format is in\n"
                "docs/migration-stream.md.\n"
                "\n"
                "  --keep  let the domain run on afterwards (paused if it was): a checkpoint\n"
                "  --json  one JSON object: name, file, pages, zero_pages, bytes, kept\n",
        .json = true,
    },
    {
        .name = "restore",
        .run = cli_cmd_restore,
        .summary = "restore a domain saved with 'shoji save'",
        .usage = "[-p|--paused] [--json] FILE",
        .help = "Builds the domain saved in FILE again, with its name, uuid, memory,\n"
                "vCPUs, xenstore nodes and PV console, and starts it.  It keeps the id it\n"
                "had when that id is free, and takes another one otherwise (the output\n"
                "says so).  Refused with one line, and nothing built: a file of another\n"
                "format version, a truncated or corrupt file, a name or uuid in use.\n"
                "\n"
                "  -p, --paused  leave it paused (start it with 'shoji unpause')\n"
                "  --json        one JSON object: name, id, saved_id, uuid, state\n",
        .json = true,
    },
    {
        .name = "block-attach",
        .run = cli_cmd_device,
        .summary = "attach a disk to a running domain",
        .usage = "NAME SOURCE TARGET [--mode r|w] [--type file|phy] [--cdrom]",
        .help = "Hot-plugs SOURCE (an image file or a host block device; relative to the\n"
                "current directory) into the running domain NAME as the PV disk TARGET\n"
                "(xvda .. xvdzz), as 'xl block-attach' does: shojid writes the device to\n"
                "xenstore and shoji-blkback serves it.  The disk is added to the domain's\n"
                "running record (it survives a reboot of the domain and a restart of\n"
                "shojid), not to its definition.\n"
                "\n"
                "  --mode r|w        read-only or read-write (default w)\n"
                "  --type file|phy   SOURCE must be an image file (file) or a block device\n"
                "                    (phy); default: whatever SOURCE is\n"
                "  --cdrom           a cdrom (always read-only)\n"
                "\n"
                "Refused, with nothing changed: a missing SOURCE, one that is neither a\n"
                "regular file nor a block device, one you cannot open yourself as the\n"
                "disk needs it, one attached read-write to any domain\n"
                "(or read-only, when asked for read-write here; read-only sharing is\n"
                "allowed), a TARGET the domain already has, a domain that is not running.\n",
        .interleaved = true,
    },
    {
        .name = "block-detach",
        .run = cli_cmd_device,
        .summary = "detach a disk from a running domain",
        .usage = "NAME TARGET [--force] [--timeout S]",
        .help = "Asks the block backend to close TARGET (backend state 5, Closing) and\n"
                "waits until it is closed (state 6), then removes the device from\n"
                "xenstore and from the domain's record.  A backend that does not close\n"
                "within the timeout gets the device removed anyway, and the command\n"
                "exits with status 5.\n"
                "\n"
                "  --force      remove the device at once, without asking the guest\n"
                "  --timeout S  how long to wait for the backend (default 10 s)\n",
        .interleaved = true,
    },
    {
        .name = "block-list",
        .run = cli_cmd_device,
        .summary = "list the disks of a running domain",
        .usage = "NAME [--json]",
        .help = "One line per PV disk, in the columns of 'xl block-list': Vdev (the\n"
                "virtual-device number), BE (the backend domain), handle, state (the\n"
                "frontend's xenbus state), evt-ch, ring-ref (-1 until the guest\n"
                "connects) and BE-path (the backend directory in xenstore).\n"
                "\n"
                "  --json  one JSON array, with the target, source, mode and the backend's\n"
                "          state too\n",
        .json = true,
        .interleaved = true,
    },
    {
        .name = "network-attach",
        .run = cli_cmd_device,
        .summary = "attach a network interface to a running domain",
        .usage = "NAME [--bridge BR] [--mac M] [--vifname N]",
        .help = "Hot-plugs a PV network interface into the running domain NAME, as\n"
                "'xl network-attach' does: shojid writes the device to xenstore and\n"
                "shoji-netback makes its TAP (vifDOMID.DEVID, or N) and, with --bridge,\n"
                "puts it on bridge BR.  The interface takes the next device number and is\n"
                "added to the domain's running record, not to its definition.\n"
                "\n"
                "  --bridge BR    put the TAP on the Linux bridge BR (which must exist);\n"
                "                 without it the TAP is left for you (type ethernet)\n"
                "  --mac M        the guest's MAC address (default: a random one in\n"
                "                 Xen's range 00:16:3e:xx:xx:xx)\n"
                "  --vifname N    the TAP's name (default vifDOMID.DEVID)\n"
                "\n"
                "Refused, with nothing changed: a bridge that does not exist, a MAC the\n"
                "domain or another running domain has, a TAP name another domain uses or\n"
                "an existing host interface other than a TAP has, a domain that is not\n"
                "running.\n",
        .interleaved = true,
    },
    {
        .name = "network-detach",
        .run = cli_cmd_device,
        .summary = "detach a network interface from a running domain",
        .usage = "NAME DEVID [--force] [--timeout S]",
        .help = "Asks the network backend to close interface DEVID (the Idx of\n"
                "'shoji network-list'; backend state 5, Closing) and waits until it is\n"
                "closed (state 6), then removes the device from xenstore and from the\n"
                "domain's record; shoji-netback removes its TAP.  A backend that does\n"
                "not close within the timeout gets the device removed anyway, and the\n"
                "command exits with status 5.\n"
                "\n"
                "  --force      remove the device at once, without asking the guest\n"
                "  --timeout S  how long to wait for the backend (default 10 s)\n",
        .interleaved = true,
    },
    {
        .name = "network-list",
        .run = cli_cmd_device,
        .summary = "list the network interfaces of a running domain",
        .usage = "NAME [--json]",
        .help = "One line per PV network interface: Idx (the device number), BE (the\n"
                "backend domain), the MAC address, handle, state (the frontend's xenbus\n"
                "state), BE-state (the backend's), the bridge ('-' for a plain TAP), the\n"
                "TAP's name and BE-path (the backend directory in xenstore).\n"
                "\n"
                "  --json  one JSON array, with the TAP's packet and byte counters too\n",
        .json = true,
        .interleaved = true,
    },
    {
        .name = "autostart",
        .run = cli_cmd_domain,
        .summary = "start a defined domain when shojid starts",
        .usage = "[--disable] NAME",
        .help = "Marks the defined domain NAME to be started by shojid at its start.\n"
                "\n"
                "  --disable  remove the mark\n",
    },
    {
        .name = "console",
        .run = cli_cmd_console,
        .summary = "attach to a domain's PV console",
        .usage = "[--run-dir DIR] [--escape CHAR] NAME",
        .help = "Connects the terminal to the domain's PV console as shoji-consoled\n"
                "serves it (RUN-DIR/console/ID.sock; --run-dir, $SHOJI_RUN_DIR or\n"
                "/run/shoji): output in, keystrokes out.  Ctrl-] detaches.  When\n"
                "stdin is not a terminal, its end detaches once the guest has been\n"
                "quiet for half a second.  A crashed or shut-down domain is refused.\n"
                "\n"
                "  --escape CHAR  detach on CHAR instead: one character, or ^X for a\n"
                "                 control character (e.g. '^P')\n",
    },
    {
        .name = "vcpu-list",
        .run = cli_cmd_vcpu_list,
        .summary = "list the vCPUs of running domains",
        .usage = "[--json] [NAME]",
        .help = "Like 'xl vcpu-list': per vCPU of each running domain (or of NAME, a\n"
                "name or id) its host thread id, the host CPU it runs or last ran on,\n"
                "its state (running, blocked, offline, or the domain's when it does not\n"
                "run), CPU time and affinity (the host CPUs it may run on).  A vCPU that\n"
                "has not run yet has no thread ('-').\n"
                "\n"
                "  --json  one JSON array of objects\n",
        .json = true,
    },
    {
        .name = "vcpu-pin",
        .run = cli_cmd_vcpu_pin,
        .summary = "pin a vCPU to host CPUs",
        .usage = "NAME VCPU CPULIST",
        .help = "Lets the host thread of vCPU VCPU of the running domain NAME run only\n"
                "on the host CPUs of CPULIST ('0-1,3', or 'all'), as 'xl vcpu-pin'\n"
                "does.  Refused: a CPU the host does not have, a vCPU the domain does\n"
                "not have, or one that has not run yet (it has no thread).\n",
    },
    {
        .name = "host-info",
        .run = cli_cmd_host_info,
        .summary = "show the host: CPUs, memory, KVM, shoji-hv's limits",
        .usage = "[--json]",
        .help = "Like 'xl info' or 'virsh nodeinfo': host name and kernel, CPUs, total\n"
                "and free memory, whether /dev/kvm is there and its capabilities,\n"
                "shoji-hv's limits (domains, vCPUs and memory per domain) and the\n"
                "versions.  Needs no daemon.\n"
                "\n"
                "  --json  one JSON object\n",
        .json = true,
    },
    {
        .name = "domid",
        .run = cli_cmd_ident,
        .summary = "print a domain's id",
        .usage = "NAME",
        .help = "Prints the id of the running domain NAME (a defined domain that does\n"
                "not run has none: exit status 1).\n",
    },
    {
        .name = "domname",
        .run = cli_cmd_ident,
        .summary = "print a domain's name",
        .usage = "DOMID",
        .help = "Prints the name of the domain with id DOMID.\n",
    },
    {
        .name = "domuuid",
        .run = cli_cmd_ident,
        .summary = "print a domain's uuid",
        .usage = "NAME",
        .help = "NAME is a domain name or id (running or defined).  Prints its uuid.\n",
    },
    {
        .name = "rename",
        .run = cli_cmd_rename,
        .summary = "rename a domain",
        .usage = "NAME NEW",
        .help = "Renames the domain NAME (running, defined or both) to NEW: shoji-hv,\n"
                "xenstore, the running record and the definition (with its autostart\n"
                "mark) follow.  Refused: a NEW that is not a valid name, or is in use.\n",
    },
    {
        .name = "sysrq",
        .run = cli_cmd_sysrq,
        .summary = "send a magic SysRq key to a domain",
        .usage = "NAME KEY",
        .help = "Writes KEY (one printable character) to the domain's control/sysrq,\n"
                "as 'xl sysrq' does; a Linux guest acts on it as on Alt-SysRq-KEY.\n"
                "(There is no send-key: our domains have no keyboard.)\n",
    },
    {
        .name = "domstats",
        .run = cli_cmd_domstats,
        .summary = "print statistics of running domains",
        .usage = "[--json] [NAME...]",
        .help = "For each running domain (or each NAME, a name or id): state, id, CPU\n"
                "time (ns, the sum of its vCPU threads), vCPUs online and maximum,\n"
                "memory current, target and maximum (KiB) and uptime (s).  No block or\n"
                "network counters: the backends do not publish any yet.\n"
                "\n"
                "  --json  one JSON array of objects\n",
        .json = true,
        .interleaved = true,
    },
    {
        .name = "top",
        .run = cli_cmd_top,
        .summary = "show running domains' CPU and memory use, refreshed",
        .usage = "[--batch] [--iterations N] [--delay S] [--json]",
        .help = "Like xentop: one line per running domain with its CPU time, CPU % of\n"
                "one host CPU over the last interval, memory and vCPUs, every S seconds\n"
                "until interrupted.\n"
                "\n"
                "  --batch         plain lines, no screen clearing (for scripts)\n"
                "  --iterations N  stop after N refreshes\n"
                "  --delay S       seconds between refreshes (0.1 .. 3600; default 3)\n"
                "  --json          one JSON object per refresh, one per line\n",
        .json = true,
    },
    {
        .name = "events",
        .run = cli_cmd_events,
        .summary = "follow domain events",
        .usage = "[--json]",
        .help = "Prints one line per domain event (created, paused, unpaused, shutdown,\n"
                "crashed, destroyed, restarted, defined, undefined) until interrupted.\n"
                "\n"
                "  --json  one JSON object per line\n",
        .json = true,
    },
    {0},
};

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const char *cli_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = STRDIST_HINT;

	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (str_better_hint(name, c->name, &best_d))
			best = c->name;
	return best;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shoji %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: shoji %s %s\nRun 'shoji help %s' for details.\n", cmd->name,
	        cmd->usage, cmd->name);
	return CLI_EXIT_USAGE;
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "Usage: shoji %s %s\n\n%s.\n\n%s", cmd->name, cmd->usage, cmd->summary,
	        cmd->help);
}

void cli_print_overview(FILE *out)
{
	fprintf(out, "Usage: shoji [--json] COMMAND [ARGS...]\n"
	             "       shoji --version | --help\n"
	             "\n"
	             "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n"
	             "Run 'shoji help COMMAND' or 'shoji COMMAND --help' for a command's options.\n"
	             "Exit status: 0 success, 1 the operation failed, 2 bad command line,\n"
	             "3 no such domain, 4 shojid not reachable, 5 --wait timed out.\n");
}

int cli_cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *help = cli_find("help"), *cmd;
	const char *hint;

	(void)ctx;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_print_help(stdout, help);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(help, "too many arguments");
	if (argc == 1) {
		cli_print_overview(stdout);
		return CLI_EXIT_OK;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		hint = cli_suggest(argv[1]);
		fprintf(stderr, "shoji help: unknown command '%s'", argv[1]);
		if (hint)
			fprintf(stderr, " (did you mean '%s'?)", hint);
		fprintf(stderr, "\nRun 'shoji help' for the list of commands.\n");
		return CLI_EXIT_USAGE;
	}
	cli_print_help(stdout, cmd);
	return CLI_EXIT_OK;
}
