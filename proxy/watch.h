/*
 * watch: notice when a configuration folder's files change (inotify), so
 * that the daemon reloads without a SIGHUP (DESIGN.md, "Runtime
 * structure"; soapbridge.yaml's `watch: true`).
 *
 * What is watched: with a soapbridge.yaml, its folder (for
 * soapbridge.yaml itself) and the wsdl/, xslt/ and mappings/ folders
 * beside it with their subfolders (mappings/tables/); without one (serve
 * --wsdl DIR), DIR and its subfolders. A change is a file of the kinds the
 * configuration is made of (.yaml, .yml, .wsdl, .xsd, .xsl, .xslt, .csv)
 * written and closed, moved in or out, or deleted; editors' scratch files
 * (hidden, ~, .swp) and everything else are not. Folders made after the
 * watch starts are not watched until the next watch_new.
 *
 * Used by the main thread only.
 */
#ifndef SB_WATCH_H
#define SB_WATCH_H

#include <stddef.h>

#include "error.h"

struct watch;

/* Watch dir: a configuration folder (config_file 1: with a
 * soapbridge.yaml) or a folder of WSDLs. NULL with err (the folder's name
 * and the reason) when inotify cannot be set up. */
struct watch *watch_new(const char *dir, int config_file,
                        struct sb_error *err);

void watch_free(struct watch *w);

/* The descriptor to poll for reading. */
int watch_fd(const struct watch *w);

/*
 * Read what is pending without blocking: 1 when a change of the
 * configuration's files was among it, its path (relative to the watched
 * folder, "mappings/new.yaml") in what; 0 when nothing relevant was; -1
 * when the watch itself failed (errno set; too many changes at once for
 * the kernel's queue also counts as a change, with what "(many files)").
 */
int watch_read(struct watch *w, char *what, size_t size);

#endif
