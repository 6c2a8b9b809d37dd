/*
 * watch: inotify on a configuration folder (see watch.h).
 */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
#define MAX_DEPTH 3     /* mappings/tables/x is deep enough */

struct watched {
    int wd;
    char *rel;          /* "" for the folder itself, "mappings/tables" */
    int config_only;    /* only soapbridge.yaml counts here */
};

struct watch {
    int fd;
    struct watched *dirs;
    size_t n;
};

static int addDir(struct watch *w, const char *path, const char *rel,
                  int config_only)
{
    struct watched *grown = realloc(w->dirs, (w->n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    w->dirs = grown;
    int wd = inotify_add_watch(w->fd, path, EVENTS | IN_ONLYDIR);
    if (wd < 0)
        return -1;
    if (!(grown[w->n].rel = strdup(rel)))
        return -1;
    grown[w->n].wd = wd;
    grown[w->n].config_only = config_only;
    w->n++;
    return 0;
}

/* path and the folders under it, to depth. A folder that went away
 * meanwhile is skipped. */
static int addTree(struct watch *w, const char *path, const char *rel,
                   int depth)
{
    if (addDir(w, path, rel, 0) < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    DIR *d = depth < MAX_DEPTH ? opendir(path) : NULL;
    struct dirent *e;
    int rc = 0;
    while (d && rc == 0 && (e = readdir(d))) {
        char sub[PATH_MAX], subRel[PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
                (int)sizeof(sub) ||
            snprintf(subRel, sizeof(subRel), "%s%s%s", rel, rel[0] ? "/" : "",
                     e->d_name) >= (int)sizeof(subRel) ||
            stat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        rc = addTree(w, sub, subRel, depth + 1);
    }
    if (d)
        closedir(d);
    return rc;
}

struct watch *watch_new(const char *dir, int config_file, struct sb_error *err)
{
    static const char *const folders[] = {"wsdl", "xslt", "mappings"};
    struct watch *w = calloc(1, sizeof(*w));
    if (!w) {
        error_set(err, "internal", "out of memory");
        return NULL;
    }
    if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
        goto fail;
    if (!config_file) {
        if (addTree(w, dir, "", 1) < 0 || w->n == 0)
            goto fail;
        return w;
    }
    if (addDir(w, dir, "", 1) < 0)
        goto fail;
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, folders[i]) >=
                (int)sizeof(path) ||
            addTree(w, path, folders[i], 1) < 0)
            goto fail;
    }
    return w;
fail:
    error_set(err, "config", "cannot watch %s for changes: %s", dir,
              errno == ENOSPC ? "too many watches (fs.inotify."
                                "max_user_watches)"
                              : strerror(errno));
    watch_free(w);
    return NULL;
}

void watch_free(struct watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->dirs[i].rel);
    free(w->dirs);
    if (w->fd >= 0)
        close(w->fd);
    free(w);
}

int watch_fd(const struct watch *w)
{
    return w->fd;
}

static int endsWith(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int relevant(const struct watched *d, const char *name)
{
    static const char *const kinds[] = {".yaml", ".yml", ".wsdl", ".xsd",
                                        ".xsl",  ".xslt", ".csv"};
    if (d->config_only)
        return strcmp(name, "soapbridge.yaml") == 0;
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (endsWith(name, kinds[i]))
            return 1;
    return 0;
}

static const struct watched *findDir(const struct watch *w, int wd)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

int watch_read(struct watch *w, char *what, size_t size)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int changed = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return changed;
        if (n <= 0)
            return -1;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            const struct watched *d = findDir(w, ev->wd);
            p += sizeof(*ev) + ev->len;
            if (changed)
                continue;
            if (ev->mask & IN_Q_OVERFLOW) {
                snprintf(what, size, "(many files)");
                changed = 1;
            } else if (d && ev->len && relevant(d, ev->name)) {
                snprintf(what, size, "%s%s%s", d->rel, d->rel[0] ? "/" : "",
                         ev->name);
                changed = 1;
            }
        }
    }
}
