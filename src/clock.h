/* SPDX-License-Identifier: GPL-2.0 */
/* clock.h - the one clock reader: trace's timestamps, check's deadlines and
 * --debug's step times all come from here. */
#ifndef RL_CLOCK_H
#define RL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* A clock's reading in nanoseconds (CLOCK_MONOTONIC: the clock of the
 * events' ts_ns). */
static inline uint64_t rl_clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in seconds, for durations and deadlines. */
static inline double rl_mono_s(void)
{
	return rl_clock_ns(CLOCK_MONOTONIC) / 1e9;
}

#endif /* RL_CLOCK_H */
