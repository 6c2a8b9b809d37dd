/*
 * translate: one capability call, in process, both ways.
 *
 *   request JSON -> json-xml -> (validation) -> request stylesheet
 *       -> SOAP body -> envelope                      translate_request
 *   response bytes -> safe parse -> response stylesheet
 *       -> json-xml -> data JSON, or the fault as JSON  translate_response
 *
 * The daemon calls these around the upstream call; the benchmark and the
 * tests call them directly. Stylesheets run with the snapshot's security
 * preferences (no file or network access) and the extension functions'
 * per-call context (tables, zones, warnings).
 */
#ifndef SB_TRANSLATE_H
#define SB_TRANSLATE_H

#include <stddef.h>

#include "confdir.h"
#include "envelope.h"
#include "error.h"
#include "jsonxml.h"
#include "xsltfunc.h"

struct translate_limits {
    struct jsonxml_limits json;     /* request JSON */
    struct envelope_limits xml;     /* upstream response */
};

/*
 * Turn the request JSON of `cap` into a SOAP envelope. `security` may be
 * NULL. Returns the envelope (malloc'ed; caller frees; *len its length)
 * or NULL with err: "invalid_json", "invalid_input" (field set),
 * "limit_exceeded", or "internal".
 */
char *translate_request(const struct confdir *cd, const struct capability *cap,
                        const char *json, size_t json_len,
                        const struct translate_limits *limits,
                        const struct envelope_security *security,
                        size_t *len, struct sb_error *err);

/* The SOAPAction / Content-Type to send with the envelope. */
struct envelope_request translate_envelope_request(
    const struct capability *cap, const struct envelope_security *security);

struct translate_result {
    int fault;          /* 1: json is the SOAP fault as JSON */
    char *json;         /* data JSON (or fault JSON); malloc'ed */
    size_t len;
    char *warnings[XSLTFUNC_MAX_WARNINGS];  /* malloc'ed, NULL-padded */
    size_t n_warnings;
};

/*
 * Turn an upstream response into JSON. Returns 0 with *result filled (a
 * SOAP fault is a successful translation with result->fault set), or -1
 * with err "upstream_bad_response" (not SOAP, missing element, strict
 * mode violation) or "internal". translate_result_clear frees it.
 */
int translate_response(const struct confdir *cd, const struct capability *cap,
                       const char *data, size_t len, const char *content_type,
                       const struct translate_limits *limits,
                       struct translate_result *result, struct sb_error *err);
void translate_result_clear(struct translate_result *result);

#endif
