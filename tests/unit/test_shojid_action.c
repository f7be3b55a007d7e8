/*
 * test_shojid_action: the on_* action shojid applies to a stopped domain
 * (dom0-tools/shojid/action.c).  shojid.8: a crash, and a watchdog shutdown,
 * get on_crash; reboot and poweroff their own; suspend and soft_reset nothing.
 */
#include "config.h"

#include <check.h>

#include <shoji/sched.h>

#include "../../dom0-tools/shojid/shojid.h"
#include "check-run.h"

/* Distinct actions, so a wrong pick shows. */
static const struct domain_config cfg = {
    .on_poweroff = DOMAIN_ACTION_DESTROY,
    .on_reboot = DOMAIN_ACTION_RESTART,
    .on_crash = DOMAIN_ACTION_COREDUMP_RESTART,
};

START_TEST(test_shutdown_reasons)
{
	const enum shoji_domain_state sd = SHOJI_DOMAIN_SHUTDOWN;

	ck_assert_int_eq(life_action(&cfg, sd, SHUTDOWN_poweroff), DOMAIN_ACTION_DESTROY);
	ck_assert_int_eq(life_action(&cfg, sd, SHUTDOWN_reboot), DOMAIN_ACTION_RESTART);
	ck_assert_int_eq(life_action(&cfg, sd, SHUTDOWN_crash), DOMAIN_ACTION_COREDUMP_RESTART);
	ck_assert_int_eq(life_action(&cfg, sd, SHUTDOWN_suspend), DOMAIN_ACTION_PRESERVE);
	ck_assert_int_eq(life_action(&cfg, sd, SHUTDOWN_soft_reset), DOMAIN_ACTION_PRESERVE);
	ck_assert(!life_is_crash(sd, SHUTDOWN_poweroff));
	ck_assert(!life_is_crash(sd, SHUTDOWN_reboot));
	ck_assert(life_is_crash(sd, SHUTDOWN_crash));
}
END_TEST

START_TEST(test_watchdog_is_a_crash)
{
	ck_assert(life_is_crash(SHOJI_DOMAIN_SHUTDOWN, SHUTDOWN_watchdog));
	ck_assert_int_eq(life_action(&cfg, SHOJI_DOMAIN_SHUTDOWN, SHUTDOWN_watchdog),
	                 DOMAIN_ACTION_COREDUMP_RESTART);
}
END_TEST

/* A CRASHED state (triple fault, ...) gets on_crash whatever reason comes with it. */
START_TEST(test_crashed_state)
{
	ck_assert(life_is_crash(SHOJI_DOMAIN_CRASHED, SHUTDOWN_poweroff));
	ck_assert_int_eq(life_action(&cfg, SHOJI_DOMAIN_CRASHED, SHUTDOWN_poweroff),
	                 DOMAIN_ACTION_COREDUMP_RESTART);
	ck_assert_int_eq(life_action(&cfg, SHOJI_DOMAIN_CRASHED, SHUTDOWN_reboot),
	                 DOMAIN_ACTION_COREDUMP_RESTART);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "shojid-action", .name = "on_actions"};

	return CHECK_MAIN(c, test_shutdown_reasons, test_watchdog_is_a_crash, test_crashed_state);
}
