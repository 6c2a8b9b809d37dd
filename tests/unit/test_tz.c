/* Unit tests of tz: IANA zones from the system's zoneinfo (TZif) files. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "tz.h"

static const char *const zones[] = {
    "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney",
    "America/Nuuk", "Etc/UTC",
};

static struct tz_set *loadZones(void)
{
    struct sb_error err;
    struct tz_set *set = tz_set_new();
    ck_assert_ptr_nonnull(set);
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        error_clear(&err);
        ck_assert_msg(tz_set_add(set, NULL, zones[i], &err) == 0, "%s: %s",
                      zones[i], err.message);
    }
    return set;
}

/* Seconds since the epoch of a UTC (or wall-clock) date and time. */
static time_t at(int y, int mo, int d, int h, int mi, int s)
{
    return (time_t)(tz_days_from_civil(y, mo, d) * 86400 + h * 3600 +
                    mi * 60 + s);
}

static const struct {
    const char *zone;
    int y, mo, d, h, mi, s;         /* a UTC instant */
    long offset;
} offsets[] = {
    {"Europe/Berlin", 2026, 1, 15, 12, 0, 0, 3600},
    {"Europe/Berlin", 2026, 7, 15, 12, 0, 0, 7200},
    /* 2026: last Sunday of March and of October, 01:00 UTC. */
    {"Europe/Berlin", 2026, 3, 29, 0, 59, 59, 3600},
    {"Europe/Berlin", 2026, 3, 29, 1, 0, 0, 7200},
    {"Europe/Berlin", 2026, 10, 25, 0, 59, 59, 7200},
    {"Europe/Berlin", 2026, 10, 25, 1, 0, 0, 3600},
    /* Far after the last transition: only the footer rule knows. */
    {"Europe/Berlin", 2090, 1, 10, 0, 0, 0, 3600},
    {"Europe/Berlin", 2090, 3, 26, 0, 59, 59, 3600},
    {"Europe/Berlin", 2090, 3, 26, 1, 0, 0, 7200},
    {"Europe/Berlin", 2090, 10, 29, 0, 59, 59, 7200},
    {"Europe/Berlin", 2090, 10, 29, 1, 0, 0, 3600},
    /* Before the first transition: local mean time (+0:53:28). */
    {"Europe/Berlin", 1850, 1, 1, 0, 0, 0, 3208},
    {"America/New_York", 2026, 1, 15, 12, 0, 0, -18000},
    {"America/New_York", 2026, 3, 8, 6, 59, 59, -18000},
    {"America/New_York", 2026, 3, 8, 7, 0, 0, -14400},
    {"America/New_York", 2026, 11, 1, 5, 59, 59, -14400},
    {"America/New_York", 2026, 11, 1, 6, 0, 0, -18000},
    {"America/New_York", 2090, 7, 4, 12, 0, 0, -14400},
    {"Asia/Kolkata", 2026, 11, 25, 5, 0, 0, 19800},
    {"Asia/Kolkata", 2090, 6, 1, 0, 0, 0, 19800},
    /* Southern hemisphere: daylight time spans the new year. */
    {"Australia/Sydney", 2090, 1, 1, 0, 0, 0, 39600},
    {"Australia/Sydney", 2090, 4, 1, 15, 59, 59, 39600},
    {"Australia/Sydney", 2090, 4, 1, 16, 0, 0, 36000},
    {"Australia/Sydney", 2090, 9, 30, 16, 0, 0, 39600},
    /* Rule times before local midnight (M3.5.0/-1, RFC 8536 3.3.1). */
    {"America/Nuuk", 2090, 3, 26, 0, 59, 59, -7200},
    {"America/Nuuk", 2090, 3, 26, 1, 0, 0, -3600},
    {"UTC", 2026, 7, 1, 0, 0, 0, 0},
    {"Z", 2026, 7, 1, 0, 0, 0, 0},
    {"Etc/UTC", 2090, 7, 1, 0, 0, 0, 0},
};

START_TEST(offset_at_utc_instant)
{
    struct tz_set *set = loadZones();
    long offset = 99;
    time_t t = at(offsets[_i].y, offsets[_i].mo, offsets[_i].d,
                  offsets[_i].h, offsets[_i].mi, offsets[_i].s);
    ck_assert_int_eq(tz_offset_at_utc(set, offsets[_i].zone, t, &offset), 0);
    ck_assert_int_eq(offset, offsets[_i].offset);
    tz_set_free(set);
}
END_TEST

static const struct {
    const char *zone;
    int y, mo, d, h, mi, s;         /* a wall-clock time */
    int uy, umo, ud, uh, umi, us;   /* the UTC instant */
} locals[] = {
    {"Europe/Berlin", 2026, 1, 15, 12, 0, 0, 2026, 1, 15, 11, 0, 0},
    {"Europe/Berlin", 2026, 7, 15, 12, 0, 0, 2026, 7, 15, 10, 0, 0},
    {"Europe/Berlin", 2026, 3, 29, 1, 59, 59, 2026, 3, 29, 0, 59, 59},
    /* The spring gap 02:00-03:00 does not exist: moved forward by the
     * gap, as java.time and Python's zoneinfo do (02:30 is 03:30 CEST). */
    {"Europe/Berlin", 2026, 3, 29, 2, 30, 0, 2026, 3, 29, 1, 30, 0},
    {"Europe/Berlin", 2026, 3, 29, 3, 0, 0, 2026, 3, 29, 1, 0, 0},
    /* The autumn overlap 02:00-03:00 happens twice: the earlier one. */
    {"Europe/Berlin", 2026, 10, 25, 1, 59, 59, 2026, 10, 24, 23, 59, 59},
    {"Europe/Berlin", 2026, 10, 25, 2, 0, 0, 2026, 10, 25, 0, 0, 0},
    {"Europe/Berlin", 2026, 10, 25, 2, 30, 0, 2026, 10, 25, 0, 30, 0},
    {"Europe/Berlin", 2026, 10, 25, 3, 0, 0, 2026, 10, 25, 2, 0, 0},
    {"Europe/Berlin", 2090, 8, 1, 8, 0, 0, 2090, 8, 1, 6, 0, 0},
    {"America/New_York", 2026, 3, 8, 2, 30, 0, 2026, 3, 8, 7, 30, 0},
    {"America/New_York", 2026, 11, 1, 1, 30, 0, 2026, 11, 1, 5, 30, 0},
    {"America/New_York", 2026, 11, 1, 2, 0, 0, 2026, 11, 1, 7, 0, 0},
    {"Asia/Kolkata", 2026, 11, 25, 10, 30, 0, 2026, 11, 25, 5, 0, 0},
    {"UTC", 2026, 11, 25, 10, 30, 0, 2026, 11, 25, 10, 30, 0},
};

START_TEST(local_to_utc)
{
    struct tz_set *set = loadZones();
    time_t utc = 0;
    time_t local = at(locals[_i].y, locals[_i].mo, locals[_i].d,
                      locals[_i].h, locals[_i].mi, locals[_i].s);
    ck_assert_int_eq(tz_local_to_utc(set, locals[_i].zone, local, &utc), 0);
    ck_assert_int_eq(utc, at(locals[_i].uy, locals[_i].umo, locals[_i].ud,
                             locals[_i].uh, locals[_i].umi, locals[_i].us));
    tz_set_free(set);
}
END_TEST

START_TEST(unknown_and_unsafe_names)
{
    static const char *const names[] = {
        "Mars/Olympus_Mons", "../etc/passwd", "Europe/../UTC", "/etc/passwd",
        "Europe/Berlin;x", "Europe/Berlin ", "", "Europe", "Europe/Berlin/",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct sb_error err;
        struct tz_set *set = tz_set_new();
        error_clear(&err);
        ck_assert_int_eq(tz_set_add(set, NULL, names[i], &err), -1);
        ck_assert_str_eq(err.code, "unknown_zone");
        ck_assert_ptr_nonnull(strstr(err.message, names[i]));
        ck_assert_int_eq(tz_set_has(set, names[i]), 0);
        tz_set_free(set);
    }
}
END_TEST

START_TEST(unknown_zone_names_zone_and_file)
{
    struct sb_error err;
    struct tz_set *set = tz_set_new();
    ck_assert_int_eq(tz_set_add(set, NULL, "Mars/Olympus_Mons", &err), -1);
    ck_assert_str_eq(err.code, "unknown_zone");
    ck_assert_str_eq(err.file, "/usr/share/zoneinfo/Mars/Olympus_Mons");
    ck_assert_str_eq(err.message, "unknown time zone 'Mars/Olympus_Mons' (no"
                     " readable zoneinfo file)");
    tz_set_free(set);
}
END_TEST

START_TEST(not_loaded_zone)
{
    struct tz_set *set = tz_set_new();
    long offset = 7;
    time_t utc;
    ck_assert_int_eq(tz_offset_at_utc(set, "Europe/Berlin", 0, &offset), -1);
    ck_assert_int_eq(offset, 0);
    ck_assert_int_eq(tz_local_to_utc(set, "Europe/Berlin", 0, &utc), -1);
    ck_assert_int_eq(tz_set_has(set, "Europe/Berlin"), 0);
    ck_assert_int_eq(tz_set_has(set, "UTC"), 1);
    ck_assert_int_eq(tz_set_has(set, "Z"), 1);
    ck_assert_int_eq(tz_set_has(NULL, "UTC"), 1);
    ck_assert_int_eq(tz_offset_at_utc(NULL, "UTC", 0, &offset), 0);
    ck_assert_int_eq(tz_local_to_utc(NULL, "UTC", 42, &utc), 0);
    ck_assert_int_eq(utc, 42);
    tz_set_free(set);
}
END_TEST

START_TEST(loading_twice_is_a_no_op)
{
    struct sb_error err;
    struct tz_set *set = tz_set_new();
    long offset;
    ck_assert_int_eq(tz_set_add(set, NULL, "Asia/Kolkata", &err), 0);
    ck_assert_int_eq(tz_set_add(set, NULL, "Asia/Kolkata", &err), 0);
    ck_assert_int_eq(tz_set_add(set, NULL, "UTC", &err), 0);
    ck_assert_int_eq(tz_set_has(set, "Asia/Kolkata"), 1);
    ck_assert_int_eq(tz_offset_at_utc(set, "Asia/Kolkata", 0, &offset), 0);
    ck_assert_int_eq(offset, 19800);
    tz_set_free(set);
}
END_TEST

/* ---- hand-made TZif files in a scratch zoneinfo directory ---- */

static void put32(unsigned char *p, long v)
{
    p[0] = (unsigned char)((unsigned long)v >> 24);
    p[1] = (unsigned char)((unsigned long)v >> 16);
    p[2] = (unsigned char)((unsigned long)v >> 8);
    p[3] = (unsigned char)v;
}

/* A version 1 file: one transition at t=1000 from +1h to +2h. */
static size_t makeVersion1(unsigned char *buf)
{
    memset(buf, 0, 44);
    memcpy(buf, "TZif", 4);
    put32(buf + 32, 1);     /* timecnt */
    put32(buf + 36, 2);     /* typecnt */
    put32(buf + 40, 4);     /* charcnt */
    unsigned char *p = buf + 44;
    put32(p, 1000);
    p[4] = 1;
    put32(p + 5, 3600);
    p[9] = 0;
    p[10] = 0;
    put32(p + 11, 7200);
    p[15] = 1;
    p[16] = 0;
    memcpy(p + 17, "AB\0\0", 4);
    return 44 + 21;
}

static char *scratchDir(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/sb-tz-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void writeZone(const char *dir, const char *name,
                      const unsigned char *data, size_t len)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void removeZone(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

/* A real version 2+ file to cut short; NULL if the system has none. */
static unsigned char *readSystemZone(const char *name, size_t *len)
{
    char path[PATH_MAX];
    unsigned char *data = malloc(65536);
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f || !data) {
        if (f)
            fclose(f);
        free(data);
        return NULL;
    }
    *len = fread(data, 1, 65536, f);
    fclose(f);
    return data;
}

START_TEST(version1_file_and_broken_files)
{
    char dir[PATH_MAX];
    unsigned char v1[128];
    size_t len = makeVersion1(v1);
    size_t berlin_len;
    unsigned char *berlin = readSystemZone("Europe/Berlin", &berlin_len);
    struct sb_error err;
    struct tz_set *set = tz_set_new();
    long offset;
    scratchDir(dir, sizeof(dir));
    writeZone(dir, "One", v1, len);
    writeZone(dir, "Short", v1, len - 1);
    writeZone(dir, "Text", (const unsigned char *)"code,status\n", 12);
    v1[44 + 4] = 2;         /* a transition to a type that does not exist */
    writeZone(dir, "BadType", v1, len);
    if (berlin)             /* a version 2 file cut inside its second part */
        writeZone(dir, "Cut", berlin, berlin_len - 100);

    ck_assert_int_eq(tz_set_add(set, dir, "One", &err), 0);
    tz_offset_at_utc(set, "One", 999, &offset);
    ck_assert_int_eq(offset, 3600);
    tz_offset_at_utc(set, "One", 1000, &offset);
    ck_assert_int_eq(offset, 7200);
    tz_offset_at_utc(set, "One", 4000000000, &offset);
    ck_assert_int_eq(offset, 7200);

    static const struct {
        const char *name, *message;
    } broken[] = {
        {"Short", "time zone 'Short': malformed TZif data block"},
        {"Text", "time zone 'Text': not a TZif file"},
        {"BadType", "time zone 'BadType': malformed TZif data block"},
        {"Cut", "time zone 'Cut': malformed TZif data block"},
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        if (!berlin && strcmp(broken[i].name, "Cut") == 0)
            continue;
        error_clear(&err);
        ck_assert_int_eq(tz_set_add(set, dir, broken[i].name, &err), -1);
        ck_assert_str_eq(err.code, "unknown_zone");
        ck_assert_str_eq(err.message, broken[i].message);
        ck_assert_int_eq(tz_set_has(set, broken[i].name), 0);
    }
    const char *names[] = {"One", "Short", "Text", "BadType", "Cut"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        removeZone(dir, names[i]);
    rmdir(dir);
    free(berlin);
    tz_set_free(set);
}
END_TEST

START_TEST(calendar_round_trip)
{
    static const struct {
        int y, m, d;
        long days;
    } dates[] = {
        {1970, 1, 1, 0}, {2000, 2, 29, 11016}, {2026, 11, 25, 20782},
        {1969, 12, 31, -1}, {0, 1, 1, -719528}, {9999, 12, 31, 2932896},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        int64_t y;
        int m, d;
        ck_assert_int_eq(tz_days_from_civil(dates[i].y, dates[i].m,
                                            dates[i].d), dates[i].days);
        tz_civil_from_days(dates[i].days, &y, &m, &d);
        ck_assert_int_eq(y, dates[i].y);
        ck_assert_int_eq(m, dates[i].m);
        ck_assert_int_eq(d, dates[i].d);
    }
    ck_assert_int_eq(tz_days_in_month(2024, 2), 29);
    ck_assert_int_eq(tz_days_in_month(2026, 2), 28);
    ck_assert_int_eq(tz_days_in_month(2000, 2), 29);
    ck_assert_int_eq(tz_days_in_month(1900, 2), 28);
    ck_assert_int_eq(tz_days_in_month(2026, 4), 30);
    ck_assert_int_eq(tz_days_in_month(2026, 13), 0);
}
END_TEST

Suite *tz_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, offset_at_utc_instant, 0,
                        sizeof(offsets) / sizeof(offsets[0]));
    tcase_add_loop_test(tc, local_to_utc, 0,
                        sizeof(locals) / sizeof(locals[0]));
    tcase_add_test(tc, unknown_and_unsafe_names);
    tcase_add_test(tc, unknown_zone_names_zone_and_file);
    tcase_add_test(tc, not_loaded_zone);
    tcase_add_test(tc, loading_twice_is_a_no_op);
    tcase_add_test(tc, version1_file_and_broken_files);
    tcase_add_test(tc, calendar_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
