/*
 * fakeclock.c: a wall clock for the PostgreSQL server under test that starts
 * where test/fuzz/conditions.sh says, so that now(), current_date and
 * clock_timestamp() inside the server are on another day than the machine's.
 *
 * Loaded with LD_PRELOAD into the postmaster (through the cluster's
 * environment file); every backend is forked from it and keeps its clock.
 *
 *   CORM_FAKE_CLOCK       the wall-clock time at the start, in seconds since
 *                         the epoch (UTC)
 *   CORM_FAKE_CLOCK_RATE  how fast the clock runs from there (default 1)
 *
 * Only the wall clock moves: gettimeofday(), time() and clock_gettime() of
 * CLOCK_REALTIME (and its coarse variant).  The monotonic clocks, sleeping
 * and waiting are the real ones, so statement_timeout, deadlock_timeout and
 * lock waits behave as on any other day.  Nothing here takes a lock or
 * allocates: the functions may be called from a signal handler (the
 * server's timeouts read the clock in SIGALRM's).
 *
 * Built by test/fuzz/conditions.sh: cc -shared -fPIC -O2 -o fakeclock.so
 * fakeclock.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn) (clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime;
static int	active;
static long long real_start_ns;	/* the real wall clock at the start */
static long long fake_start_ns;	/* what it reads then */
static double rate = 1.0;

static long long
real_now_ns(void)
{
	struct timespec ts;

	real_clock_gettime(CLOCK_REALTIME, &ts);
	return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long
fake_ns(long long real)
{
	return fake_start_ns + (long long) ((double) (real - real_start_ns) * rate);
}

__attribute__((constructor))
static void
fakeclock_init(void)
{
	const char *start = getenv("CORM_FAKE_CLOCK");
	const char *r = getenv("CORM_FAKE_CLOCK_RATE");

	real_clock_gettime = (clock_gettime_fn) dlsym(RTLD_NEXT, "clock_gettime");
	if (real_clock_gettime == NULL || start == NULL || *start == '\0')
		return;
	fake_start_ns = (long long) (strtod(start, NULL) * 1e9);
	if (r != NULL && *r != '\0' && strtod(r, NULL) > 0)
		rate = strtod(r, NULL);
	real_start_ns = real_now_ns();
	active = 1;
}

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	int			rc;
	long long	ns;

	if (real_clock_gettime == NULL)
		fakeclock_init();
	if (real_clock_gettime == NULL)
		return -1;
	rc = real_clock_gettime(clock, ts);
	if (rc != 0 || !active || (clock != CLOCK_REALTIME && clock != CLOCK_REALTIME_COARSE))
		return rc;
	ns = fake_ns((long long) ts->tv_sec * 1000000000LL + ts->tv_nsec);
	ts->tv_sec = (time_t) (ns / 1000000000LL);
	ts->tv_nsec = (long) (ns % 1000000000LL);
	return 0;
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void) tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
