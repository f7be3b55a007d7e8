/*
 * The on_* action a stopped domain gets: lifecycle.c's one decision when
 * shoji-hv reports a shutdown or a crash, kept free of the daemon's state so
 * a unit test can check it (tests/unit/test_shojid_action.c).
 */
#include "config.h"

#include <shoji/sched.h>

#include "shojid.h"

bool life_is_crash(enum shoji_domain_state state, uint32_t reason)
{
	/* shojid.8: a watchdog shutdown is a crash and gets on_crash */
	return state == SHOJI_DOMAIN_CRASHED || reason == SHUTDOWN_crash ||
	       reason == SHUTDOWN_watchdog;
}

enum domain_action life_action(const struct domain_config *cfg, enum shoji_domain_state state,
                               uint32_t reason)
{
	if (life_is_crash(state, reason))
		return cfg->on_crash;
	if (reason == SHUTDOWN_reboot)
		return cfg->on_reboot;
	if (reason == SHUTDOWN_poweroff)
		return cfg->on_poweroff;
	return DOMAIN_ACTION_PRESERVE; /* suspend, soft_reset: nothing to do yet */
}
