/*
 * canon: the canonical JSON every bot sees (DESIGN.md, "The canonical
 * JSON the bot sees"), and the HTTP status that goes with each error code.
 *
 *   {"ok":true,"capability":"get_order_status","data":{...},"meta":{...}}
 *   {"ok":false,"capability":"...","error":{"code":"invalid_input",
 *    "message":"order_id: required","field":"order_id","retryable":false},
 *    "meta":{...}}
 *
 * meta holds the request id, the duration, the upstream operations
 * called ("sources"), whether the answer came from a cache, and the
 * translation warnings when there are any.
 */
#ifndef SB_CANON_H
#define SB_CANON_H

#include <stddef.h>

#include "error.h"
#include "strbuf.h"

struct canon_meta {
    const char *request_id;
    double duration_ms;
    const char *const *sources;         /* "ShippingService.GetOrderStatus" */
    size_t n_sources;
    int cached;
    char *const *warnings;
    size_t n_warnings;
};

/* Append the success document; `data` is JSON text (an object or any
 * value) embedded unchanged. capability may be NULL for documents that
 * are not about a capability (the listings). Returns 0, or -1 when out of
 * memory. */
int canon_success(struct strbuf *out, const char *capability,
                  const char *data, size_t len, const struct canon_meta *meta);

/* Append the failure document for err (code, message, field when set).
 * `fault` is the SOAP fault as JSON text for upstream_fault (NULL
 * otherwise), carried as error.fault. */
int canon_error(struct strbuf *out, const char *capability,
                const struct sb_error *err, const char *fault,
                const struct canon_meta *meta);

/* Write s as a JSON string into the yajl_gen `gen`. Text may quote
 * bytes a client sent: whatever is not UTF-8 is written as U+FFFD, so
 * that the document stays valid JSON. */
void canon_gen_string(void *gen, const char *s);

/* The HTTP status for an error code (400 invalid_json, 404
 * unknown_capability, 502 upstream_fault, ...; 500 for codes it does not
 * know). */
int canon_http_status(const char *code);

/* Whether a client may retry the same call unchanged (timeouts and
 * unavailable upstreams). */
int canon_retryable(const char *code);

/* The i-th error code there is, NULL past the last (every one must be a
 * metrics outcome too). */
const char *canon_error_code(size_t i);

#endif
