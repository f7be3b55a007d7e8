/*
 * domxml: Shoji's domain XML (a libvirt-compatible subset for Xen PVH guests).
 *
 * Parsing runs in three passes over one libxml2 tree: well-formedness (no
 * network, no DTD, no entity expansion), the RelaxNG schema shoji-domain.rng,
 * and the semantic checks in C (units, ranges, files, cross-field rules).
 * Every problem becomes one `struct domxml_error` (a line and a one-line
 * message); the caller prints them as "FILE:LINE: message".  Nothing in this
 * library prints or exits.  See shoji-domain.xml(5).
 */
#ifndef SHOJI_DOMXML_H
#define SHOJI_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include <shoji/limits.h> /* the name, memory and vCPU limits checked here */

#define DOMXML_FILE_MAX      (1024 * 1024) /* bytes of XML we read */
#define DOMXML_MAX_ERRORS    20            /* errors kept per parse */
#define DOMXML_ERROR_MSG_MAX 256

enum domain_type {
	DOMAIN_TYPE_XEN,
	DOMAIN_TYPE_SHOJI,
};

/* What the toolstack does when the guest powers off, reboots or crashes. */
enum domain_action {
	DOMAIN_ACTION_DESTROY,
	DOMAIN_ACTION_RESTART,
	DOMAIN_ACTION_PRESERVE,
	DOMAIN_ACTION_RENAME_RESTART,
	DOMAIN_ACTION_COREDUMP_DESTROY,
	DOMAIN_ACTION_COREDUMP_RESTART,
};

enum domain_disk_type {
	DOMAIN_DISK_FILE,  /* a raw image file: backend type "file" */
	DOMAIN_DISK_BLOCK, /* a host block device: backend type "phy" */
};

enum domain_disk_device {
	DOMAIN_DISK_DEVICE_DISK,
	DOMAIN_DISK_DEVICE_CDROM, /* always read-only */
};

#define DOMAIN_DISKS_MAX 64 /* <disk> elements per domain */

/* A <disk>: a PV block device served by shoji-blkback (see shoji-domain.xml(5)). */
struct domain_disk {
	enum domain_disk_type type;
	enum domain_disk_device device;
	char *source;      /* absolute path of the image or block device */
	char *driver_name; /* NULL, "qemu", "phy" or "file" */
	char *driver_type; /* NULL or "raw" */
	char target[8];    /* xvda .. xvdzz */
	bool readonly;     /* <readonly/>; true for every cdrom */
	int line;
};

enum domain_nic_type {
	DOMAIN_NIC_BRIDGE,
	DOMAIN_NIC_ETHERNET,
};

#define DOMAIN_NICS_MAX   32 /* <interface> elements per domain */
#define DOMAIN_IFNAME_MAX 15 /* bytes of a Linux interface name (IFNAMSIZ - 1) */

/* An <interface>: a PV network device served by shoji-netback (see shoji-domain.xml(5)). */
struct domain_nic {
	enum domain_nic_type type;
	uint8_t mac[6];     /* from <mac>, else generated in 00:16:3e (Xen's range) */
	bool mac_generated; /* no <mac> in the file: a random one was made */
	char *bridge;       /* <source bridge>: required for type bridge, NULL otherwise */
	char *model;        /* NULL or "netfront" */
	char
	    target[DOMAIN_IFNAME_MAX + 1]; /* <target dev>: the TAP's name; "" for vifDOMID.DEVID */
	int line;
};

/* The parsed form of one domain file: what the toolstack builds a domain from. */
struct domain_config {
	enum domain_type type;
	char name[SHOJI_DOMAIN_NAME_MAX + 1];
	uuid_t uuid;
	bool uuid_generated; /* no <uuid> in the file: a random one was made */
	char *title;         /* NULL when absent */
	char *description;   /* NULL when absent */
	uint64_t memory_kib;
	uint64_t current_memory_kib; /* == memory_kib when <currentMemory> is absent */
	unsigned int vcpus;
	unsigned int current_vcpus; /* == vcpus when current= is absent */
	char *kernel;               /* absolute path */
	char *initrd;               /* absolute path or NULL */
	char *cmdline;              /* NULL when absent */
	enum domain_action on_poweroff, on_reboot, on_crash;
	bool feature_pae, feature_acpi, feature_apic;
	size_t n_disks;
	struct domain_disk *disks;
	size_t n_nics;
	struct domain_nic *nics;
};

struct domxml_error {
	int line; /* 0 when the problem is with the file as a whole */
	char msg[DOMXML_ERROR_MSG_MAX];
};

/* Errors of one parse, in a deterministic order (document order, then cross-field checks). */
struct domxml_errors {
	size_t count;   /* entries used in items[] */
	size_t dropped; /* further errors not kept */
	struct domxml_error items[DOMXML_MAX_ERRORS];
};

/* Flags for domxml_parse_*(). */
#define DOMXML_NO_FILE_CHECKS 0x1u /* do not check that kernel/initrd/disk sources exist */

struct domxml_options {
	unsigned int flags;
	/* Directory relative paths in the file are resolved against; NULL: the
	 * file's own directory for domxml_parse_file(), and relative paths are
	 * an error for domxml_parse_memory(). */
	const char *base_dir;
	/* When not NULL, replaces <os><kernel> (must be absolute). */
	const char *kernel_override;
};

struct domxml_parser;

/* Loads and compiles the RelaxNG schema at schema_path.  Returns NULL with
 * errno set (EINVAL for a schema that does not compile) on failure. */
struct domxml_parser *domxml_parser_new(const char *schema_path);
void domxml_parser_free(struct domxml_parser *p);

/* Parse and validate the file at path into *cfg.  Returns 0 on success; -1
 * with every problem in *errs otherwise (cfg is then left empty). */
int domxml_parse_file(struct domxml_parser *p, const char *path, const struct domxml_options *opt,
                      struct domain_config *cfg, struct domxml_errors *errs);

/* Same for an in-memory document (a daemon's request, a fuzzer's input). */
int domxml_parse_memory(struct domxml_parser *p, const char *buf, size_t len,
                        const struct domxml_options *opt, struct domain_config *cfg,
                        struct domxml_errors *errs);

void domain_config_free(struct domain_config *cfg);

/* Canonical XML for cfg (the form `shoji dumpxml` prints), NUL-terminated and
 * malloc'ed; NULL with errno set on failure. */
char *domxml_serialise(const struct domain_config *cfg);

/* True when a and b describe the same domain (every field compared). */
bool domain_config_equal(const struct domain_config *a, const struct domain_config *b);

/* Names used in the XML for the enums above ("?" for a value none stands for). */
const char *domain_type_name(enum domain_type t);
const char *domain_action_name(enum domain_action a);
const char *domain_disk_type_name(enum domain_disk_type t);
const char *domain_nic_type_name(enum domain_nic_type t);
const char *domain_disk_device_name(enum domain_disk_device d);

/*
 * The Xen virtual-device number of a PV disk name, as libxl numbers them:
 * xvdN with N = a..z, aa..zz (index 0..701) is (202 << 8) | (index << 4)
 * below index 16, else (1 << 28) | (index << 8).  -1 for any other name
 * (hd*, sd*, partitions, upper case...).
 */
long domxml_disk_devid(const char *target);

/* A Linux interface name (a bridge, a TAP): 1..15 bytes, not "." or "..", no '/', ':'
 * or white space.  On failure returns false and points *why at a static reason. */
bool domxml_ifname_valid(const char *name, const char **why);

/* Parses aa:bb:cc:dd:ee:ff (hex digits, either case) into mac; false when s is not one. */
bool domxml_parse_mac(const char *s, uint8_t mac[6]);

/* A random MAC address in Xen's range 00:16:3e:xx:xx:xx (unicast, as libxl makes them). */
void domxml_gen_mac(uint8_t mac[6]);

/* Checks a domain name against the rules of shoji-domain.xml(5); on failure
 * returns false and points *why at a static reason. */
bool domxml_name_valid(const char *name, const char **why);

/* Internal to the domxml library (shared by its files). */
void domxml_error_add(struct domxml_errors *errs, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
