/*
 * confdir: one configuration folder (wsdl/, xslt/, mappings/,
 * mappings/tables/) loaded and compiled into an immutable snapshot:
 * every WSDL model, every capability's compiled stylesheets, the lookup
 * tables and time zones. Everything is parsed and compiled here, before
 * the first request; nothing on the request path reads a file.
 *
 * Two kinds of capability live in a snapshot: the mapped capabilities
 * (one per mapping file) and the zero-config operations (every operation
 * of every WSDL in wsdl/, named "Service.Operation", converted by the
 * schema-aware default stylesheets).
 */
#ifndef SB_CONFDIR_H
#define SB_CONFDIR_H

#include <stddef.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/security.h>

#include "error.h"
#include "mapping.h"
#include "native.h"
#include "tables.h"
#include "tz.h"
#include "wsdl.h"

struct capability {
    char *name;                         /* "get_order_status" or
                                           "ShippingService.GetOrderStatus" */
    const struct mapping *mapping;      /* NULL for a zero-config operation */
    const struct wsdl *wsdl;
    const struct wsdl_service *service;
    const struct wsdl_port *port;
    const struct wsdl_operation *operation;
    const char *endpoint;               /* mapping override or soap:address */
    int soap_version;                   /* 11 or 12 */
    char *request_text, *response_text; /* stylesheet source, for `compile` */
    xsltStylesheetPtr request, response;   /* compiled; response NULL for
                                              one-way operations */
    struct native_plan *native;         /* the tables (or the schema
                                           default) run in C, or NULL:
                                           the stylesheets alone */
};

struct confdir {
    char *dir;
    struct wsdl **wsdls;
    size_t n_wsdls;
    struct mapping **mappings;
    size_t n_mappings;
    struct capability *capabilities;    /* mapped, sorted by name */
    size_t n_capabilities;
    struct capability *operations;      /* zero-config, sorted by name */
    size_t n_operations;
    struct tables *tables;
    struct tz_set *zones;
    xsltSecurityPrefsPtr security;      /* no file or network access */
};

/* A list of problems found while loading (every one, not only the
 * first), each with file and line where known. */
struct confdir_problems {
    struct sb_error *items;
    size_t n;
};

struct confdir_options {
    int strict;             /* undeclared response content is an error */
    int operations;         /* also compile the zero-config operations */
    const char *wsdl_dir;   /* the WSDLs' folder; NULL = DIR/wsdl */
    int stylesheets_only;   /* no native plans (native.h): every
                               conversion through its stylesheet, for
                               comparison */
};

/*
 * The process-wide set-up every snapshot relies on; call once from main
 * (after xmlInitParser) before the first confdir_load. Registers the
 * extension functions stylesheets may call -- EXSLT common and strings,
 * and the sb: functions of xsltfunc.h -- and routes libxslt's
 * compile-time messages into the problem list instead of stderr.
 * Returns 0, or -1 if a registration failed.
 */
int confdir_init(void);

/*
 * Load and compile the folder `dir`. Returns the snapshot (confdir_free)
 * and fills *problems (confdir_problems_clear) with everything that went
 * wrong; a capability that failed to compile is left out of the
 * snapshot. Returns NULL only when nothing could be loaded at all (the
 * folder is missing), with the reason in *problems.
 */
struct confdir *confdir_load(const char *dir,
                             const struct confdir_options *opt,
                             struct confdir_problems *problems);
void confdir_free(struct confdir *cd);
void confdir_problems_clear(struct confdir_problems *problems);

/* A mapped capability or zero-config operation by name; NULL if absent. */
const struct capability *confdir_find(const struct confdir *cd,
                                      const char *name);

#endif
