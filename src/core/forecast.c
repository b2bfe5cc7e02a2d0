/* forecast.c - quota forecasts of forecast.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/forecast.h"
#include "core/quota.h"
#include "core/text.h"

NAMES(forecast_state, FORECAST_STATES, FORECAST_STATE_COUNT)

int
forecast_level_pct(int i)
{
	return quota_level_pct((enum quota_level)(QUOTA_WARN80 + i));
}

double
forecast_rate(const int64_t amounts[FORECAST_DAYS])
{
	/* x = 0..FORECAST_DAYS (day boundaries), y = consumption up to x */
	const int n = FORECAST_DAYS + 1;
	const double xmean = FORECAST_DAYS / 2.0;
	double y = 0, sxy = 0, sxx = 0;

	for (int x = 0; x < n; x++) {
		if (x > 0)
			y += (double)amounts[x - 1];
		sxy += (x - xmean) * y;
		sxx += (x - xmean) * (x - xmean);
	}
	/* sum((x - xmean) * (y - ymean)) is sxy, as sum(x - xmean) = 0 */
	return sxy / sxx;
}

int64_t
forecast_threshold(int64_t limit, int pct)
{
	__int128 t;

	if (limit < 0)
		return -1;
	t = ((__int128)limit * pct + 99) / 100;
	if (t < 1)
		t = 1;
	return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

/* One level of a forecast: its state, and when if projected. */
static enum forecast_state
project(usec_t *at, const struct quota *q, int pct, double per_day, usec_t now)
{
	int64_t target = forecast_threshold(q->limit, pct);
	double days, dt;

	*at = 0;
	if (target < 0)
		return FORECAST_NONE;
	if (q->used >= target)
		return FORECAST_REACHED;
	if (!(per_day > 0) || !isfinite(per_day))
		return FORECAST_NONE;
	days = (double)(target - q->used) / per_day;
	if (!(days <= FORECAST_HORIZON_DAYS))
		return FORECAST_NONE;
	dt = ceil(days * (double)USEC_PER_DAY);
	*at = now + (usec_t)dt;
	if (q->window != WINDOW_NONE && *at >= quota_window_end(q->window, now)) {
		*at = 0;
		return FORECAST_RESETS_FIRST;
	}
	return FORECAST_PROJECTED;
}

void
forecast_quota(struct quota_forecast *out, const struct quota *q, double per_day, usec_t now)
{
	memset(out, 0, sizeof *out);
	out->per_day = per_day;
	out->as_of = now;
	for (int i = 0; i < FORECAST_LEVELS; i++)
		out->state[i] = project(&out->at[i], q, forecast_level_pct(i), per_day, now);
}

int64_t
forecast_full_key(const struct quota_forecast *f)
{
	int full = FORECAST_LEVELS - 1;

	if (f->state[full] == FORECAST_REACHED)
		return INT64_MIN;
	if (f->state[full] == FORECAST_PROJECTED)
		return f->at[full];
	return INT64_MAX;
}

int
forecast_format_in(char *buf, size_t size, usec_t dt)
{
	if (dt < USEC_PER_HOUR)
		return snprintf(buf, size, "%lld min",
				(long long)(dt < USEC_PER_MIN ? 1 : dt / USEC_PER_MIN));
	if (dt < 48 * USEC_PER_HOUR)
		return snprintf(buf, size, "%lld h", (long long)(dt / USEC_PER_HOUR));
	return snprintf(buf, size, "%lld d", (long long)(dt / USEC_PER_DAY));
}

static const char *
window_phrase(enum quota_window w)
{
	switch (w) {
	case WINDOW_HOUR:
		return "not this hour";
	case WINDOW_DAY:
		return "not today";
	case WINDOW_MONTH:
		return "not this month";
	default:
		return "not this window";
	}
}

/* "80 % in 2 d" / "100 % not this hour" / "95 % -" for level i. */
static int
describe_level(char *buf, size_t size, const struct quota_forecast *f, int i, enum quota_window w,
	       usec_t now)
{
	char in[24];

	switch (f->state[i]) {
	case FORECAST_PROJECTED:
		forecast_format_in(in, sizeof in, f->at[i] - now);
		return snprintf(buf, size, "%d%% in %s", forecast_level_pct(i), in);
	case FORECAST_RESETS_FIRST:
		return snprintf(buf, size, "%d%% %s", forecast_level_pct(i), window_phrase(w));
	default:
		return snprintf(buf, size, "%d%% -", forecast_level_pct(i));
	}
}

int
forecast_describe(char *buf, size_t size, const struct quota *q, usec_t now)
{
	const struct quota_forecast *f = &q->forecast;
	int full = FORECAST_LEVELS - 1, next = 0;
	char a[40], b[40];

	if (q->limit < 0)
		return snprintf(buf, size, "unlimited");
	if (f->as_of == 0)
		return snprintf(buf, size, "%s", "");
	if (f->state[full] == FORECAST_REACHED)
		return snprintf(buf, size, "at 100%%");
	if (!(f->per_day > 0))
		return snprintf(buf, size, "flat");
	while (next < full && f->state[next] == FORECAST_REACHED)
		next++;
	if (f->state[next] == FORECAST_RESETS_FIRST)
		return snprintf(buf, size, "%s", window_phrase(q->window));
	if (f->state[next] == FORECAST_NONE)
		return snprintf(buf, size, "slow");
	describe_level(a, sizeof a, f, next, q->window, now);
	if (next == full)
		return snprintf(buf, size, "%s", a);
	describe_level(b, sizeof b, f, full, q->window, now);
	return snprintf(buf, size, "%s, %s", a, b);
}

int
forecast_describe_fit(char *buf, size_t size, const struct quota *q, usec_t now, int width)
{
	int n = forecast_describe(buf, size, q, now);
	char *second = strstr(buf, ", ");

	if (n <= width)
		return n;
	if (second) { /* "80% in 2 d, 100% in 6 d": one of the two */
		*second = '\0';
		second += 2;
		if (strncmp(second, "100% in ", 8) == 0 && (n = (int)strlen(second)) <= width) {
			memmove(buf, second, (size_t)n + 1);
			return n;
		}
		if ((n = (int)strlen(buf)) <= width)
			return n;
	}
	if (q->limit >= 0 && q->forecast.as_of
	    && (n = forecast_describe_full(buf, size, &q->forecast, now)) <= width)
		return n;
	buf[0] = '\0';
	return 0;
}

int
forecast_describe_full(char *buf, size_t size, const struct quota_forecast *f, usec_t now)
{
	int full = FORECAST_LEVELS - 1;
	char in[24];

	if (f->as_of == 0)
		return snprintf(buf, size, "-");
	switch (f->state[full]) {
	case FORECAST_REACHED:
		return snprintf(buf, size, "at 100%%");
	case FORECAST_PROJECTED:
		forecast_format_in(in, sizeof in, f->at[full] - now);
		return snprintf(buf, size, "full in %s", in);
	case FORECAST_RESETS_FIRST:
		return snprintf(buf, size, "resets first");
	default:
		return snprintf(buf, size, "%s", f->per_day > 0 ? "-" : "flat");
	}
}
