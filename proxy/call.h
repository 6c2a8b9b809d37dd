/*
 * call: one capability call (DESIGN.md, "One request, end to end", steps
 * 4 to 8), as a small state machine on the worker's loop:
 *
 *   TRANSLATING  request JSON -> validation -> envelope   (translate.h)
 *   UPSTREAM     the SOAP call on the worker's upstream pool
 *   DONE         response -> JSON, or the error it maps to; reply
 *
 * Transport outcomes map to the canonical errors: refused or unreachable
 * -> 503 upstream_unavailable, past the timeout -> 504 upstream_timeout,
 * a SOAP fault -> 502 upstream_fault (the fault as JSON), anything that
 * is not a usable SOAP answer -> 502 upstream_bad_response.
 */
#ifndef SB_CALL_H
#define SB_CALL_H

#include "exchange.h"
#include "server.h"

/* Run the capability of `route` with the request body of `ex`, whose
 * route the caller has already set to it (so that earlier refusals name
 * the capability too); the call ends the exchange itself
 * (exchange_succeed / exchange_fail). */
void call_start(struct exchange *ex, const struct route *route);

#endif
