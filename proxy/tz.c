/*
 * tz: IANA time zones from TZif files (RFC 8536), read once when a
 * configuration is built, so the date helpers (xsltfunc.c) convert legacy
 * local times without the process-wide, thread-unsafe TZ/localtime.
 *
 * A zone is its transition list plus, for instants after the last
 * transition, the POSIX TZ rule from the file's footer (RFC 8536 3.3):
 * "slim" zoneinfo files stop listing transitions years ago and rely on it.
 */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_MAX_NAME 255
#define TZ_MAX_FILE_BYTES (256 * 1024)
#define TZ_MAX_ZONES 1024
#define TZ_MAX_FOOTER 256
/* Instants are clamped to about +-34000 years before any calendar
 * arithmetic, so that no input can overflow it. */
#define TZ_CLAMP ((int64_t)1 << 40)

struct tzRuleDate {
    char kind;          /* 'M' (Mm.w.d), 'J' (Jn, no Feb 29) or 'N' (n) */
    int month, week, weekday, day;
    long time;          /* seconds after local midnight; may be <0 or >24h */
};

struct tzRule {
    long std_offset, dst_offset;   /* seconds east of UTC */
    int has_dst;
    struct tzRuleDate start, end;
};

struct tzZone {
    char *name;
    size_t n_transitions;
    int64_t *times;
    unsigned char *type_of;        /* per transition */
    size_t n_types;
    long *type_offset;             /* per type, seconds east */
    int has_rule;
    struct tzRule rule;
};

struct tz_set {
    struct tzZone **zones;
    size_t n, cap;
};

/* ---- calendar ---- */

static int isLeap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tz_days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && isLeap(year));
}

/* Howard Hinnant's days_from_civil / civil_from_days (public domain
 * algorithms, http://howardhinnant.github.io/date_algorithms.html). */
int64_t tz_days_from_civil(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int64_t floorDiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t clampInstant(int64_t t)
{
    return t > TZ_CLAMP ? TZ_CLAMP : t < -TZ_CLAMP ? -TZ_CLAMP : t;
}

/* ---- the POSIX TZ footer: STD off [DST [off],start[/time],end[/time]] */

static int parseNumber(const char **p, int min, int max, int *out)
{
    const char *s = *p;
    int v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || v < min || v > max)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

/* [+-]hh[:mm[:ss]] in seconds; max_hours 24 for offsets, 167 for rule
 * times (RFC 8536 3.3.1 allows -167..167 there). */
static int parseHms(const char **p, int max_hours, long *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    if (parseNumber(p, 0, max_hours, &h) < 0)
        return -1;
    if (**p == ':' && (++*p, parseNumber(p, 0, 59, &m) < 0))
        return -1;
    if (**p == ':' && (++*p, parseNumber(p, 0, 59, &s) < 0))
        return -1;
    *out = sign * ((long)h * 3600 + m * 60 + s);
    return 0;
}

static int parseAbbreviation(const char **p)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '<') {
        for (s++; *s && *s != '>'; s++, n++)
            if (!(*s == '+' || *s == '-' || (*s >= '0' && *s <= '9') ||
                  (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
                return -1;
        if (*s++ != '>')
            return -1;
    } else {
        for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++)
            n++;
    }
    if (n < 3)
        return -1;
    *p = s;
    return 0;
}

static int parseRuleDate(const char **p, struct tzRuleDate *d)
{
    d->time = 2 * 3600;
    if (**p == 'M') {
        d->kind = 'M';
        ++*p;
        if (parseNumber(p, 1, 12, &d->month) < 0 || *(*p)++ != '.' ||
            parseNumber(p, 1, 5, &d->week) < 0 || *(*p)++ != '.' ||
            parseNumber(p, 0, 6, &d->weekday) < 0)
            return -1;
    } else if (**p == 'J') {
        d->kind = 'J';
        ++*p;
        if (parseNumber(p, 1, 365, &d->day) < 0)
            return -1;
    } else {
        d->kind = 'N';
        if (parseNumber(p, 0, 365, &d->day) < 0)
            return -1;
    }
    if (**p == '/' && (++*p, parseHms(p, 167, &d->time) < 0))
        return -1;
    return 0;
}

static int parseRule(const char *s, struct tzRule *rule)
{
    long offset;
    memset(rule, 0, sizeof(*rule));
    if (parseAbbreviation(&s) < 0 || parseHms(&s, 24, &offset) < 0)
        return -1;
    /* POSIX offsets count west of UTC; ours count east. */
    rule->std_offset = -offset;
    if (!*s)
        return 0;
    if (parseAbbreviation(&s) < 0)
        return -1;
    rule->has_dst = 1;
    rule->dst_offset = rule->std_offset + 3600;
    if (*s != ',') {
        if (parseHms(&s, 24, &offset) < 0)
            return -1;
        rule->dst_offset = -offset;
    }
    /* Without a start/end rule POSIX leaves the dates to the
     * implementation; zoneinfo footers always give them. */
    if (*s++ != ',' || parseRuleDate(&s, &rule->start) < 0 ||
        *s++ != ',' || parseRuleDate(&s, &rule->end) < 0 || *s)
        return -1;
    return 0;
}

/* Local seconds since the epoch at which rule date `d` falls in `year`. */
static int64_t ruleDateLocal(const struct tzRuleDate *d, int64_t year)
{
    int64_t jan1 = tz_days_from_civil(year, 1, 1), day;
    if (d->kind == 'M') {
        int64_t first = tz_days_from_civil(year, d->month, 1);
        /* 1970-01-01 was a Thursday (weekday 4). */
        int first_weekday = (int)((first % 7 + 7 + 4) % 7);
        int mday = 1 + (d->weekday - first_weekday + 7) % 7 +
                   (d->week - 1) * 7;
        while (mday > tz_days_in_month(year, d->month))
            mday -= 7;
        day = first + mday - 1;
    } else if (d->kind == 'J') {
        day = jan1 + d->day - 1 + (isLeap(year) && d->day >= 60);
    } else {
        day = jan1 + d->day;
    }
    return day * 86400 + d->time;
}

/* The rule's offset at `t`: the latest of the transitions in the years
 * around t that is not after t, which also covers southern-hemisphere
 * rules whose daylight time spans the new year. */
static long ruleOffsetAt(const struct tzRule *rule, int64_t t)
{
    if (!rule->has_dst)
        return rule->std_offset;
    int64_t year, best_time = INT64_MIN;
    int month, day;
    long best = rule->std_offset;
    t = clampInstant(t);
    tz_civil_from_days(floorDiv(t, 86400), &year, &month, &day);
    for (int64_t y = year - 1; y <= year + 1; y++) {
        /* A start time is in standard time, an end time in daylight. */
        int64_t start = ruleDateLocal(&rule->start, y) - rule->std_offset;
        int64_t end = ruleDateLocal(&rule->end, y) - rule->dst_offset;
        if (start <= t && start > best_time) {
            best_time = start;
            best = rule->dst_offset;
        }
        if (end <= t && end > best_time) {
            best_time = end;
            best = rule->std_offset;
        }
    }
    return best;
}

/* ---- TZif ---- */

struct tzifReader {
    const unsigned char *p;
    size_t left;
};

struct tzifCounts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static const unsigned char *tzifTake(struct tzifReader *r, size_t n)
{
    if (r->left < n)
        return NULL;
    const unsigned char *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int tzifHeader(struct tzifReader *r, int *version,
                      struct tzifCounts *c)
{
    const unsigned char *h = tzifTake(r, 44);
    if (!h || memcmp(h, "TZif", 4) != 0)
        return -1;
    *version = h[4] ? h[4] - '0' : 1;
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chars = be32(h + 40);
    if (*version < 1 || c->type == 0 || c->type > 256 ||
        (c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type))
        return -1;
    return 0;
}

static size_t tzifBlockSize(const struct tzifCounts *c, size_t time_size)
{
    return (size_t)c->time * (time_size + 1) + (size_t)c->type * 6 +
           c->chars + (size_t)c->leap * (time_size + 4) + c->isstd + c->isut;
}

static int tzifBlock(struct tzifReader *r, const struct tzifCounts *c,
                     size_t time_size, struct tzZone *z)
{
    const unsigned char *times = tzifTake(r, (size_t)c->time * time_size);
    const unsigned char *idx = tzifTake(r, c->time);
    const unsigned char *types = tzifTake(r, (size_t)c->type * 6);
    if (!times || !idx || !types ||
        !tzifTake(r, tzifBlockSize(c, time_size) -
                         (size_t)c->time * (time_size + 1) - c->type * 6))
        return -1;
    z->n_transitions = c->time;
    z->n_types = c->type;
    z->times = malloc((c->time + 1) * sizeof(int64_t));
    z->type_of = malloc(c->time + 1);
    z->type_offset = malloc(c->type * sizeof(long));
    if (!z->times || !z->type_of || !z->type_offset)
        return -1;
    for (uint32_t i = 0; i < c->time; i++) {
        const unsigned char *t = times + (size_t)i * time_size;
        z->times[i] = time_size == 8 ? be64(t) : (int32_t)be32(t);
        z->type_of[i] = idx[i];
        if (idx[i] >= c->type || (i > 0 && z->times[i] <= z->times[i - 1]))
            return -1;
    }
    for (uint32_t i = 0; i < c->type; i++)
        z->type_offset[i] = (int32_t)be32(types + (size_t)i * 6);
    return 0;
}

static int tzifFooter(struct tzifReader *r, struct tzZone *z)
{
    char footer[TZ_MAX_FOOTER];
    size_t n = 0;
    const unsigned char *c = tzifTake(r, 1);
    if (!c || *c != '\n')
        return -1;
    while ((c = tzifTake(r, 1)) && *c != '\n') {
        if (n + 1 >= sizeof(footer))
            return -1;
        footer[n++] = (char)*c;
    }
    if (!c)
        return -1;
    footer[n] = 0;
    if (n == 0)
        return 0;
    z->has_rule = 1;
    return parseRule(footer, &z->rule);
}

/* Parse a whole TZif file; a version 2+ file is read from its 64-bit
 * second part, skipping the 32-bit first one (RFC 8536 3). */
static const char *tzifParse(const unsigned char *data, size_t size,
                             struct tzZone *z)
{
    struct tzifReader r = {data, size};
    struct tzifCounts c;
    int version;
    if (tzifHeader(&r, &version, &c) < 0)
        return "not a TZif file";
    if (version >= 2) {
        if (!tzifTake(&r, tzifBlockSize(&c, 4)) ||
            tzifHeader(&r, &version, &c) < 0)
            return "truncated TZif file";
    }
    if (c.leap)
        return "leap-second zones are not supported";
    if (tzifBlock(&r, &c, version >= 2 ? 8 : 4, z) < 0)
        return "malformed TZif data block";
    if (version >= 2 && tzifFooter(&r, z) < 0)
        return "unsupported TZ rule in TZif footer";
    return NULL;
}

/* ---- zones and the set ---- */

static void zoneFree(struct tzZone *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->times);
    free(z->type_of);
    free(z->type_offset);
    free(z);
}

struct tz_set *tz_set_new(void)
{
    return calloc(1, sizeof(struct tz_set));
}

void tz_set_free(struct tz_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        zoneFree(set->zones[i]);
    free(set->zones);
    free(set);
}

static int isUtcName(const char *name)
{
    return strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0;
}

static const struct tzZone *findZone(const struct tz_set *set,
                                     const char *name)
{
    for (size_t i = 0; set && name && i < set->n; i++)
        if (strcmp(set->zones[i]->name, name) == 0)
            return set->zones[i];
    return NULL;
}

/* Zone names become file paths: nothing that could leave the directory. */
static int isSafeZoneName(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > TZ_MAX_NAME || name[0] == '/' ||
        strstr(name, ".."))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' ||
              *p == '-' || *p == '/'))
            return 0;
    return 1;
}

static unsigned char *readZoneFile(const char *path, size_t *size)
{
    struct stat st;
    unsigned char *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size > TZ_MAX_FILE_BYTES)
        goto out;
    data = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (data && got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(data);
            data = NULL;
        } else {
            got += (size_t)n;
        }
    }
    *size = got;
out:
    close(fd);
    return data;
}

static int setInsert(struct tz_set *set, struct tzZone *z)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        struct tzZone **zones = realloc(set->zones, cap * sizeof(*zones));
        if (!zones)
            return -1;
        set->zones = zones;
        set->cap = cap;
    }
    set->zones[set->n++] = z;
    return 0;
}

static int loadZone(struct tz_set *set, const char *path, const char *name,
                    struct sb_error *err)
{
    size_t size = 0;
    const char *problem;
    struct tzZone *z = NULL;
    unsigned char *data = readZoneFile(path, &size);
    if (!data) {
        error_set_at(err, "unknown_zone", path, 0, "unknown time zone '%s'"
                     " (no readable zoneinfo file)", name);
        goto fail;
    }
    if (!(z = calloc(1, sizeof(*z))) || !(z->name = strdup(name))) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    if ((problem = tzifParse(data, size, z))) {
        error_set_at(err, "unknown_zone", path, 0, "time zone '%s': %s",
                     name, problem);
        goto fail;
    }
    if (setInsert(set, z) < 0) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    free(data);
    return 0;
fail:
    free(data);
    zoneFree(z);
    return -1;
}

int tz_set_add(struct tz_set *set, const char *zoneinfo_dir,
               const char *name, struct sb_error *err)
{
    char path[PATH_MAX];
    const char *dir = zoneinfo_dir ? zoneinfo_dir : TZ_DEFAULT_DIR;
    if (!set)
        return error_set(err, "internal", "no time zone set");
    if (!name || !isSafeZoneName(name))
        return error_set(err, "unknown_zone", "invalid time zone name '%.64s'",
                         name ? name : "");
    if (isUtcName(name) || findZone(set, name))
        return 0;
    if (set->n >= TZ_MAX_ZONES)
        return error_set(err, "unknown_zone", "more than %d time zones "
                         "(limit TZ_MAX_ZONES)", TZ_MAX_ZONES);
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return error_set(err, "unknown_zone", "zoneinfo path too long");
    return loadZone(set, path, name, err);
}

int tz_set_has(const struct tz_set *set, const char *name)
{
    return name && (isUtcName(name) || findZone(set, name) != NULL);
}

static long zoneOffsetAt(const struct tzZone *z, int64_t t)
{
    size_t n = z->n_transitions;
    if (n == 0 || t >= z->times[n - 1]) {
        if (z->has_rule)
            return ruleOffsetAt(&z->rule, t);
        return z->type_offset[n ? z->type_of[n - 1] : 0];
    }
    /* Before the first transition the first time type applies
     * (RFC 8536 3.2). */
    if (t < z->times[0])
        return z->type_offset[0];
    size_t lo = 0, hi = n - 1;     /* times[lo] <= t < times[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->type_offset[z->type_of[lo]];
}

int tz_offset_at_utc(const struct tz_set *set, const char *name, time_t t,
                     long *offset)
{
    *offset = 0;
    if (!name)
        return -1;
    if (isUtcName(name))
        return 0;
    const struct tzZone *z = findZone(set, name);
    if (!z)
        return -1;
    *offset = zoneOffsetAt(z, t);
    return 0;
}

/* Offsets in effect a day before and a day after the wall-clock time
 * bracket it (no zone moves by more than a day, nor twice in two days);
 * a candidate is valid if converting it back gives the same offset. */
int tz_local_to_utc(const struct tz_set *set, const char *name,
                    time_t local_as_utc, time_t *utc)
{
    int64_t local = clampInstant(local_as_utc);
    long before, after;
    *utc = local_as_utc;
    if (tz_offset_at_utc(set, name, local - 86400, &before) < 0 ||
        tz_offset_at_utc(set, name, local + 86400, &after) < 0)
        return -1;
    if (before == after) {
        *utc = local - before;
        return 0;
    }
    /* A reading is consistent when the zone has that offset at the
     * instant it gives. Prefer the earlier offset (the daylight reading
     * in an overlap); when neither is consistent the time is in a gap,
     * and the earlier offset moves it forward by the gap. */
    long check;
    if (tz_offset_at_utc(set, name, local - before, &check) == 0 &&
        check == before)
        *utc = local - before;
    else if (tz_offset_at_utc(set, name, local - after, &check) == 0 &&
             check == after)
        *utc = local - after;
    else
        *utc = local - before;
    return 0;
}
