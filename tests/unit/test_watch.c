/* Unit tests of watch: which changes of a configuration folder count.
 * inotify queues an event when the system call that causes it returns,
 * so each check reads right after the change, without waiting. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "watch.h"

struct folder {
    char dir[PATH_MAX];
    char *made[32];     /* relative paths, removed in reverse order */
    size_t n_made;
};

static const char *at(const struct folder *f, const char *rel, char *buf)
{
    ck_assert_int_lt(snprintf(buf, PATH_MAX, "%s/%s", f->dir, rel), PATH_MAX);
    return buf;
}

static void remember(struct folder *f, const char *rel)
{
    ck_assert_uint_lt(f->n_made, 32);
    f->made[f->n_made++] = strdup(rel);
}

static void makeDir(struct folder *f, const char *rel)
{
    char path[PATH_MAX];
    ck_assert_int_eq(mkdir(at(f, rel, path), 0700), 0);
    remember(f, rel);
}

static void writeFile(struct folder *f, const char *rel, const char *text)
{
    char path[PATH_MAX];
    FILE *fp = fopen(at(f, rel, path), "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
    remember(f, rel);
}

static void newFolder(struct folder *f)
{
    const char *tmp = getenv("TMPDIR");
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s/sb-watch-XXXXXX",
             tmp && *tmp ? tmp : P_tmpdir);
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
}

/* Remove what the test made (each path once, last first). */
static void removeFolder(struct folder *f)
{
    char path[PATH_MAX];
    while (f->n_made) {
        char *rel = f->made[--f->n_made];
        remove(at(f, rel, path));
        free(rel);
    }
    ck_assert_int_eq(rmdir(f->dir), 0);
}

static struct watch *watchOk(const struct folder *f, int config_file)
{
    struct sb_error err;
    error_clear(&err);
    struct watch *w = watch_new(f->dir, config_file, &err);
    ck_assert_msg(w != NULL, "%s", err.message);
    return w;
}

/* watch_read must say the change of rel (NULL: that nothing counts). */
static void expectChange(struct watch *w, const char *rel)
{
    char what[PATH_MAX] = "";
    int rc = watch_read(w, what, sizeof(what));
    if (!rel) {
        ck_assert_msg(rc == 0, "a change was seen: %s", what);
        return;
    }
    ck_assert_int_eq(rc, 1);
    ck_assert_str_eq(what, rel);
}

START_TEST(config_folder_changes)
{
    struct folder f;
    newFolder(&f);
    writeFile(&f, "soapbridge.yaml", "workers: 1\n");
    makeDir(&f, "wsdl");
    makeDir(&f, "mappings");
    makeDir(&f, "mappings/tables");
    /* no xslt/ folder: a missing folder is not an error */
    struct watch *w = watchOk(&f, 1);
    ck_assert_int_ge(watch_fd(w), 0);
    expectChange(w, NULL);

    writeFile(&f, "mappings/track_order.yaml", "capability: x\n");
    expectChange(w, "mappings/track_order.yaml");
    writeFile(&f, "mappings/tables/status.csv", "a,b\n");
    expectChange(w, "mappings/tables/status.csv");
    writeFile(&f, "soapbridge.yaml", "workers: 2\n");
    f.n_made--;     /* written twice: remove it once */
    free(f.made[f.n_made]);
    expectChange(w, "soapbridge.yaml");

    /* beside soapbridge.yaml only that file counts; scratch files and
     * other kinds never */
    writeFile(&f, "notes.yaml", "x\n");
    writeFile(&f, "wsdl/.shipping.wsdl.swp", "x");
    writeFile(&f, "wsdl/shipping.wsdl~", "x");
    writeFile(&f, "mappings/README.md", "x");
    expectChange(w, NULL);

    /* moved in (how deployments replace files), and deleted */
    char from[PATH_MAX], to[PATH_MAX];
    writeFile(&f, "wsdl/.incoming", "<definitions/>");
    ck_assert_int_eq(rename(at(&f, "wsdl/.incoming", from),
                            at(&f, "wsdl/billing.wsdl", to)), 0);
    free(f.made[f.n_made - 1]);
    f.made[f.n_made - 1] = strdup("wsdl/billing.wsdl");
    expectChange(w, "wsdl/billing.wsdl");
    ck_assert_int_eq(unlink(at(&f, "mappings/track_order.yaml", to)), 0);
    expectChange(w, "mappings/track_order.yaml");
    watch_free(w);
    removeFolder(&f);
}
END_TEST

START_TEST(wsdl_folder_and_its_subfolders)
{
    struct folder f;
    newFolder(&f);
    makeDir(&f, "xsd");
    struct watch *w = watchOk(&f, 0);
    writeFile(&f, "orders.wsdl", "<definitions/>");
    expectChange(w, "orders.wsdl");
    writeFile(&f, "xsd/common.xsd", "<schema/>");
    expectChange(w, "xsd/common.xsd");
    /* several changes read at once: the first is named */
    writeFile(&f, "a.wsdl", "x");
    writeFile(&f, "b.wsdl", "x");
    expectChange(w, "a.wsdl");
    expectChange(w, NULL);
    watch_free(w);
    removeFolder(&f);
}
END_TEST

START_TEST(missing_folder_is_an_error)
{
    struct sb_error err;
    error_clear(&err);
    ck_assert_ptr_null(watch_new("/nonexistent/sb-watch", 0, &err));
    ck_assert_str_eq(err.code, "config");
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/sb-watch"));
    ck_assert_ptr_nonnull(strstr(err.message, "No such file"));
    watch_free(NULL);
}
END_TEST

Suite *watch_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, config_folder_changes);
    tcase_add_test(tc, wsdl_folder_and_its_subfolders);
    tcase_add_test(tc, missing_folder_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
