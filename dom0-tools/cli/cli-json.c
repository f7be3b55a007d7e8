/*
 * JSON output of the shoji CLI: strings escaped per RFC 8259, and the
 * JSON form of a domain configuration (documented in shoji(1)).
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

void cli_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void field(FILE *out, const char *name, const char *value)
{
	fprintf(out, ", \"%s\": ", name);
	cli_json_string(out, value);
}

void cli_json_config(FILE *out, const struct domain_config *cfg)
{
	char uuid[37];

	uuid_unparse_lower(cfg->uuid, uuid);
	fprintf(out, "{\"type\": \"%s\"", domain_type_name(cfg->type));
	field(out, "name", cfg->name);
	field(out, "uuid", uuid);
	fprintf(out, ", \"uuid_generated\": %s", cfg->uuid_generated ? "true" : "false");
	field(out, "title", cfg->title);
	field(out, "description", cfg->description);
	fprintf(out, ", \"memory_kib\": %llu, \"current_memory_kib\": %llu",
	        (unsigned long long)cfg->memory_kib, (unsigned long long)cfg->current_memory_kib);
	fprintf(out, ", \"vcpus\": %u, \"current_vcpus\": %u", cfg->vcpus, cfg->current_vcpus);
	field(out, "kernel", cfg->kernel);
	field(out, "initrd", cfg->initrd);
	field(out, "cmdline", cfg->cmdline);
	field(out, "on_poweroff", domain_action_name(cfg->on_poweroff));
	field(out, "on_reboot", domain_action_name(cfg->on_reboot));
	field(out, "on_crash", domain_action_name(cfg->on_crash));
	fprintf(out, ", \"features\": {\"pae\": %s, \"acpi\": %s, \"apic\": %s}",
	        cfg->feature_pae ? "true" : "false", cfg->feature_acpi ? "true" : "false",
	        cfg->feature_apic ? "true" : "false");
	fprintf(out, ", \"disks\": [");
	for (size_t i = 0; i < cfg->n_disks; i++) {
		const struct domain_disk *d = &cfg->disks[i];

		fprintf(out, "%s{\"type\": \"%s\", \"device\": \"%s\"", i ? ", " : "",
		        domain_disk_type_name(d->type), domain_disk_device_name(d->device));
		field(out, "source", d->source);
		field(out, "target", d->target);
		fprintf(out, ", \"readonly\": %s}", d->readonly ? "true" : "false");
	}
	fprintf(out, "], \"interfaces\": [");
	for (size_t i = 0; i < cfg->n_nics; i++) {
		const struct domain_nic *n = &cfg->nics[i];
		char mac[18];

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
		         n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		fprintf(out, "%s{\"type\": \"%s\"", i ? ", " : "", domain_nic_type_name(n->type));
		field(out, "mac", mac);
		fprintf(out, ", \"mac_generated\": %s", n->mac_generated ? "true" : "false");
		field(out, "bridge", n->bridge);
		field(out, "target", n->target[0] ? n->target : NULL);
		field(out, "model", n->model);
		fprintf(out, "}");
	}
	fprintf(out, "]}");
}
