/*
 * tz: IANA time zones read from the system's zoneinfo files (TZif, from
 * Debian's tzdata) once, when a configuration is built, so that the date
 * helpers convert local legacy times to UTC and back without touching the
 * process-wide TZ (setenv/localtime are not thread-safe).
 */
#ifndef SB_TZ_H
#define SB_TZ_H

#include <stdint.h>
#include <time.h>

#include "error.h"

struct tz_set;

/* An empty set; caller owns it (tz_set_free). */
struct tz_set *tz_set_new(void);
void tz_set_free(struct tz_set *set);

/* Load zone `name` ("Europe/Berlin", "UTC") from the zoneinfo directory
 * (NULL = "/usr/share/zoneinfo"). Loading a zone twice is a no-op.
 * Error "unknown_zone" names the zone and the file tried; it is also used
 * for a name outside [A-Za-z0-9_+/-] or with "..", and for a file that is
 * not valid TZif (RFC 8536) or uses leap seconds (the right/ zones). */
int tz_set_add(struct tz_set *set, const char *zoneinfo_dir,
               const char *name, struct sb_error *err);

/* 1 if the zone is loaded ("UTC" and "Z" always are, even in a NULL set). */
int tz_set_has(const struct tz_set *set, const char *name);

/* UTC offset in seconds east of UTC at UTC instant `t`; 0 with -1 returned
 * if the zone is not loaded. */
int tz_offset_at_utc(const struct tz_set *set, const char *name, time_t t,
                     long *offset);

/* UTC instant for a local wall-clock time given as seconds since the epoch
 * as if the wall clock were UTC. A time in a gap (spring forward) is
 * moved forward by the gap (Berlin 02:30 on the spring day is 03:30
 * CEST, 01:30Z); in an overlap (fall back) the earlier, daylight reading
 * is used (02:30 gives 00:30Z).
 * -1 if the zone is not loaded. */
int tz_local_to_utc(const struct tz_set *set, const char *name,
                    time_t local_as_utc, time_t *utc);

/* Proleptic Gregorian calendar arithmetic, shared with the date helpers:
 * days since 1970-01-01 for a date, and back. */
int64_t tz_days_from_civil(int64_t year, int month, int day);
void tz_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Days in `month` (1-12) of `year`, leap years included. */
int tz_days_in_month(int64_t year, int month);

#endif
