/*
 * api-proto.h - the private protocol between the shoji CLI and shojid.
 *
 * A stream socket carries messages: a fixed header, then exactly hdr.len
 * payload bytes.  A request payload is a struct api_req followed by
 * req.text_len bytes of text (domain XML, or API_DUMP_CORE's file name).
 * A reply's header carries status 0 or a positive errno; a failed reply's
 * payload is a one-line message (not NUL-terminated), a successful one is
 * the type's result (see each API_* below).  Every size is checked on
 * receive; the daemon validates a request completely before acting on it.
 */
#ifndef SHOJI_API_PROTO_H
#define SHOJI_API_PROTO_H

#include <stdint.h>

#include <shoji/limits.h>

#define API_MAGIC    0x4a4f4853u /* "SHOJ" */
#define API_VERSION  6
#define API_MSG_MAX  (1024u * 1024 + 4096) /* largest payload either side sends */
#define API_NAME_MAX SHOJI_DOMAIN_NAME_MAX /* bytes of a domain name, without the NUL */
#define API_PATH_MAX 4096                  /* bytes of a disk source path, with the NUL */
#define API_MAX_FDS  4 /* descriptors a request may bring, sent with its header (SCM_RIGHTS) */

/* shojid's default socket. */
#define SHOJID_DEFAULT_SOCKET "/run/shoji/shojid.sock"

enum api_type {
	API_CREATE = 1, /* text = XML; flags API_F_PAUSED; reply struct api_dominfo */
	API_DEFINE,     /* text = XML; reply: the domain's name (NUL-terminated) */
	API_UNDEFINE,   /* target; reply empty */
	API_START,      /* target (a defined name); flags API_F_PAUSED; reply struct api_dominfo */
	API_LIST,       /* flags API_F_ALL; reply struct api_dominfo[] */
	API_INFO,       /* target; reply struct api_dominfo */
	API_PAUSE,      /* target; reply empty */
	API_UNPAUSE,    /* target; reply empty */
	API_SHUTDOWN,   /* target; flags WAIT/FORCE; value = timeout seconds; reply empty, or
	                 * "destroyed" when FORCE destroyed it */
	API_REBOOT,     /* target; flags WAIT; value = timeout seconds; reply struct api_dominfo */
	API_DESTROY,    /* target; reply empty */
	API_MEM_SET,    /* target; value = KiB; reply empty */
	API_VCPU_SET,   /* target; value = online vCPUs; reply empty */
	API_DMESG,      /* target; reply the console_io text */
	API_EVENTS,     /* reply empty, then struct api_event messages until the client leaves */
	API_DUMPXML,    /* target; reply the XML text */
	API_AUTOSTART,  /* target; flags API_F_DISABLE; reply empty */
	API_DUMP_CORE,  /* target; text = absolute path of the core file; reply empty */
	/* target (running); text = "VDEV\nSOURCE" (SOURCE absolute); flags READONLY, CDROM,
	 * PHY or FILE (neither: as SOURCE is); reply struct api_vbd */
	API_BLOCK_ATTACH,
	API_BLOCK_DETACH, /* target (running); text = VDEV; flags FORCE; value = timeout s */
	API_BLOCK_LIST,   /* target; flags ALL: a defined domain too; reply struct api_vbd[] */
	/* xl/virsh conveniences (issue 16 item 6) */
	API_SYSRQ,   /* target (running); value = the key (one printable character); reply empty */
	API_MEM_MAX, /* target (running); value = the new maximum in KiB; reply empty */
	API_RENAME,  /* target (defined or running); text = the new name; reply empty */
	API_VCPU_LIST, /* target (running); reply struct api_vcpu[] */
	API_VCPU_PIN,  /* target (running); value = the vCPU; text = a CPU list; reply empty */
	/* target (running); text = "MAC\nBRIDGE\nVIFNAME" (each may be empty: a generated MAC,
	 * a plain TAP, vifDOMID.DEVID); reply struct api_vif */
	API_NET_ATTACH,
	API_NET_DETACH, /* target (running); text = DEVID; flags FORCE; value = timeout s */
	API_NET_LIST,   /* target; flags ALL: a defined domain too; reply struct api_vif[] */
	/* save and restore (docs/migration-stream.md); the stream's descriptor comes with the
	 * request, opened by the client with its own rights */
	API_SAVE,    /* target (running); flags KEEP; reply struct api_save_reply */
	API_RESTORE, /* flags PAUSED; reply struct api_restore_reply */
	API_TYPE_MAX,
};

#define API_EVENT_MSG        0x100 /* header type of a pushed event */

#define API_F_PAUSED         0x1u   /* create/start: leave the domain paused */
#define API_F_ALL            0x2u   /* list: also defined domains that are not running */
#define API_F_WAIT           0x4u   /* shutdown/reboot: reply when it is done */
#define API_F_FORCE          0x8u   /* shutdown: destroy after the timeout */
#define API_F_DISABLE        0x10u  /* autostart: turn it off */
#define API_F_UUID_GENERATED 0x20u  /* create/define: the file had no <uuid> */
#define API_F_READONLY       0x40u  /* block-attach: mode r */
#define API_F_CDROM          0x80u  /* block-attach: a cdrom (read-only) */
#define API_F_PHY            0x100u /* block-attach: SOURCE must be a block device */
#define API_F_FILE           0x200u /* block-attach: SOURCE must be a regular file */
#define API_F_KEEP           0x400u /* save: the domain runs on afterwards (a checkpoint) */

struct api_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;  /* enum api_type, or API_EVENT_MSG */
	uint32_t len;   /* payload bytes after the header */
	int32_t status; /* replies: 0 or a positive errno */
};

struct api_req {
	uint32_t flags;
	uint32_t text_len;
	uint64_t value;
	char target[API_NAME_MAX + 1]; /* a name or a decimal domid, NUL-terminated */
	uint8_t pad[7];
};

/* Domain states as the CLI shows them (hypervisor states, plus "defined"). */
enum api_state {
	API_STATE_RUNNING = 0,
	API_STATE_BLOCKED,
	API_STATE_PAUSED,
	API_STATE_SHUTDOWN,
	API_STATE_CRASHED,
	API_STATE_DYING,
	API_STATE_DEFINED, /* defined, not running */
	API_STATE_MAX
};

#define API_DOMID_NONE 0xffffffffu

struct api_dominfo {
	uint32_t domid; /* API_DOMID_NONE when not running */
	uint32_t state; /* enum api_state */
	uint32_t shutdown_reason;
	uint32_t vcpus;
	uint32_t online_vcpus;
	uint32_t flags; /* API_INFO_* */
	uint64_t max_kib;
	uint64_t target_kib; /* memory/target */
	uint64_t cur_kib;    /* memory the domain holds now (0 when not running) */
	uint64_t cpu_time_ns;
	uint8_t uuid[16];
	char name[API_NAME_MAX + 1];
	uint8_t pad[7];
	uint64_t
	    start_time_ns; /* CLOCK_REALTIME when it was built; 0 when not running or unknown */
};

#define API_INFO_PERSISTENT 0x1u /* a definition exists */
#define API_INFO_AUTOSTART  0x2u
#define API_INFO_MANAGED    0x4u /* built by shojid (not just seen in shoji-hv) */

/* What happened to a domain; pushed to API_EVENTS subscribers. */
enum api_event_kind {
	API_EV_CREATED = 0,
	API_EV_PAUSED,
	API_EV_UNPAUSED,
	API_EV_SHUTDOWN, /* the guest shut down (reason = SHUTDOWN_*) */
	API_EV_CRASHED,
	API_EV_DESTROYED,
	API_EV_RESTARTED, /* new_domid holds the new domain */
	API_EV_DEFINED,
	API_EV_UNDEFINED,
	API_EV_MAX
};

struct api_event {
	uint32_t kind; /* enum api_event_kind */
	uint32_t domid;
	uint32_t new_domid;
	uint32_t reason;
	uint64_t time_ns; /* CLOCK_REALTIME */
	char name[API_NAME_MAX + 1];
	uint8_t pad[7];
};

/* One PV disk of a domain (block-list, info): its configuration and what
 * xenstore says (-1 where a node is absent: not running, or not connected). */
struct api_vbd {
	int32_t devid; /* virtual-device */
	int32_t backend_id;
	int32_t state;    /* the frontend's XenbusState */
	int32_t be_state; /* the backend's */
	int32_t evtchn;   /* the frontend's event-channel */
	int32_t ring_ref; /* the frontend's ring-ref */
	uint8_t type;     /* enum domain_disk_type */
	uint8_t device;   /* enum domain_disk_device */
	uint8_t readonly;
	uint8_t pad;
	char target[8];    /* xvda .. xvdzz */
	char be_path[128]; /* "" when not running */
	char source[API_PATH_MAX];
};

/* One vCPU's host thread (vcpu-list). */
#define API_CPUMASK_WORDS 16 /* host CPUs 0 .. 1023 */
struct api_vcpu {
	uint32_t vcpu;
	uint32_t flags; /* API_VCPU_* */
	int32_t tid;    /* the host thread; -1 before the vCPU first ran */
	int32_t cpu;    /* the host CPU it runs or last ran on; -1 when unknown */
	uint64_t cpu_time_ns;
	uint64_t affinity[API_CPUMASK_WORDS]; /* bit c of word c / 64: host CPU c */
};

#define API_VCPU_ONLINE  0x1u
#define API_VCPU_RUNNING 0x2u /* inside KVM_RUN */

/* One PV network device of a domain (network-list, info): its configuration, what
 * xenstore says (-1 where a node is absent) and the TAP's counters as the host sees them
 * (-1 when the interface does not exist: not running, or no backend). */
struct api_vif {
	int32_t devid; /* -1: a defined domain's interface (no device yet) */
	int32_t backend_id;
	int32_t state;    /* the frontend's XenbusState */
	int32_t be_state; /* the backend's */
	uint8_t type;     /* enum domain_nic_type */
	uint8_t pad;
	uint8_t mac[6];
	char bridge[16];   /* "" for a plain TAP */
	char vifname[16];  /* the TAP: <target dev>, or vifDOMID.DEVID when running */
	char be_path[128]; /* "" when not running */
	int64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* What a save wrote (API_SAVE). */
struct api_save_reply {
	uint64_t pages;      /* guest frames written with their data */
	uint64_t zero_pages; /* guest frames written as zero */
	uint64_t bytes;      /* stream bytes */
};

/* The restored domain (API_RESTORE). */
struct api_restore_reply {
	struct api_dominfo info;
	/* its id when it was saved (info.domid differs when that id was taken) */
	uint32_t saved_domid;
	uint32_t pad;
};

_Static_assert(sizeof(struct api_hdr) == 16, "api_hdr layout");
_Static_assert(sizeof(struct api_req) == 88, "api_req layout");
_Static_assert(sizeof(struct api_dominfo) == 152, "api_dominfo layout");
_Static_assert(sizeof(struct api_event) == 96, "api_event layout");
_Static_assert(sizeof(struct api_vbd) == 4260, "api_vbd layout");
_Static_assert(sizeof(struct api_vcpu) == 152, "api_vcpu layout");
_Static_assert(sizeof(struct api_vif) == 216, "api_vif layout");
_Static_assert(sizeof(struct api_save_reply) == 24, "api_save_reply layout");
_Static_assert(sizeof(struct api_restore_reply) == 160, "api_restore_reply layout");

#endif
