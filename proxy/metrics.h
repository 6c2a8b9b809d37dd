/*
 * metrics: the daemon's counters, served as Prometheus text at GET
 * /metrics (DESIGN.md, "One request, end to end", step 8).
 *
 * Lock-free on the request path: each worker thread updates only its own
 * struct metrics_worker, whose counters are C11 atomics written with
 * relaxed ordering by that one thread. A scrape, served by any worker,
 * reads every worker's counters with relaxed loads and sums them: no
 * lock, no data race, and each counter it reads is one the owner wrote.
 * Different counters may be read a few requests apart; within one
 * histogram, _count is the sum of the buckets read, so it always matches
 * the le="+Inf" bucket.
 *
 * Every label value comes from the configuration, never from what
 * clients send: the capability names (mapped capabilities and zero-config
 * operations), the upstream operation names
 * ("ShippingService.GetOrderStatus"), the outcomes ("ok" and the error
 * codes, one table in metrics.c), the upstream outcomes and the workers.
 * The counters of every name are made at the start, with room for a
 * number of names more: a reload that adds capabilities names them with
 * metrics_add_capability, and the counters of a name outlive the
 * configurations that use it, so a reload never resets them.
 *
 * Families (all prefixed soapbridge_):
 *   requests_total{capability,outcome}            counter
 *   request_duration_seconds{capability}          histogram
 *   request_bytes_total{capability}               counter (request bodies)
 *   response_bytes_total{capability}              counter (response bodies)
 *   errors_total{code}                            counter
 *   in_flight_requests                            gauge
 *   translation_warnings_total{capability}        counter
 *   upstream_requests_total{operation,outcome}    counter
 *   upstream_duration_seconds{operation}          histogram
 *   client_connections{worker}                    gauge
 *   upstream_in_flight{worker}                    gauge
 *   upstream_connections_opened_total{worker}     counter
 *   config_reloads_total{outcome}                 counter (ok, failed)
 *   config_last_reload_successful                 gauge
 * Requests that name no known capability (404s, the listings, /metrics
 * itself) carry capability="". Every family's HELP and TYPE lines are
 * always written. A counter series is left out while it is 0 and a
 * histogram while it has no observation -- that is, until its label
 * combination first occurs (for the byte counters: until the first byte)
 * -- so that many capabilities times many outcomes do not make thousands
 * of zero lines. The gauges and the per-worker series are always written.
 */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stddef.h>

#include "strbuf.h"

/* Upper bounds of the latency histograms, in seconds (the +Inf bucket
 * comes on top): 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5
 * 1 2.5 5 10 30. */
#define METRICS_BUCKETS 15

/* Bounds on what metrics_new accepts; each is far above any real
 * configuration and keeps the counter arrays' sizes from overflowing. */
#define METRICS_MAX_WORKERS 1024
#define METRICS_MAX_LABELS 100000

/* The index of the outcome "ok"; metrics_outcome_index gives the others. */
#define METRICS_OUTCOME_OK 0

struct metrics;
struct metrics_worker;

/*
 * Make the metrics of n_workers workers, with room for spare names more
 * of each label than given. The label names are copied (the caller keeps
 * its arrays); names within each list must be distinct (the indexes given
 * to the counting functions are positions in these lists). Returns NULL
 * when out of memory or when a count exceeds the limits above. Free with
 * metrics_free.
 */
struct metrics *metrics_new(size_t n_workers, const char *const *capabilities,
                            size_t n_capabilities,
                            const char *const *upstream_ops,
                            size_t n_upstream_ops, size_t spare);

/*
 * The index of a capability (or upstream operation) name: its place when
 * the metrics have it already, else the next free one, taken for it.
 * -1 when the room is used up (or out of memory). One thread at a time
 * may add names; counting and rendering threads may run meanwhile (a
 * name is published before its index is returned, so give the index to
 * other threads only after the call).
 */
int metrics_add_capability(struct metrics *m, const char *name);
int metrics_add_operation(struct metrics *m, const char *name);

/* Count one configuration reload: ok, or failed (the previous
 * configuration still serves). One thread at a time. */
void metrics_config_reload(struct metrics *m, int ok);

/* Free everything, the workers included; NULL is a no-op. No worker may
 * still be counting. */
void metrics_free(struct metrics *m);

/* Worker i's counters (owned by m; NULL when i is out of range). Only one
 * thread at a time may call the counting functions below on one worker:
 * a counter is updated by a load and a store, not a locked
 * read-modify-write, which is what makes counting cheap. */
struct metrics_worker *metrics_worker(struct metrics *m, size_t i);

/* The index of an outcome ("ok", "invalid_json", "upstream_timeout",
 * ...), or -1 when the table has no such code. */
int metrics_outcome_index(const char *name);

/* The name of outcome i; NULL when out of range. */
const char *metrics_outcome_name(int i);

/* The number of outcomes in the table. */
size_t metrics_outcome_count(void);

/*
 * Count one answered request: its capability (index into the
 * capabilities, -1 for a request that names no known capability), its
 * outcome (metrics_outcome_index; -1, a code the table lacks, is counted
 * as "internal" so that totals stay right), how long it took, and the
 * sizes of the request and response bodies. A negative or NaN duration
 * counts as 0. w NULL is a no-op (as for every counting function).
 */
void metrics_request_done(struct metrics_worker *w, int capability, int outcome,
                          double seconds, size_t bytes_in, size_t bytes_out);

/* Count one upstream SOAP call of operation op (index into the upstream
 * operations; out of range: not counted) with its outcome: "ok",
 * "fault", "timeout", "unavailable", "bad_response" or "error" (any
 * other name counts as "error"). */
void metrics_upstream_done(struct metrics_worker *w, int op,
                           const char *outcome, double seconds);

/* Add delta (+1 when a request arrives, -1 when it is answered) to the
 * requests in flight. */
void metrics_in_flight(struct metrics_worker *w, int delta);

/* Count one translation warning (undeclared content converted by the
 * generic rule) of capability (-1: capability=""). */
void metrics_warning(struct metrics_worker *w, int capability);

/* Set the worker's upstream pool figures: calls in flight now, and
 * connections opened since start. */
void metrics_upstream_pool(struct metrics_worker *w, size_t in_flight,
                           size_t connections_opened);

/* Append the Prometheus text exposition (format 0.0.4) of every worker's
 * counters summed, with each worker's open client connections (an array
 * of one per worker, read by the caller at the scrape; NULL for none).
 * Safe while workers count. Returns 0, or -1 when out of memory
 * (strbuf_failed(out) then says so too). */
int metrics_render(const struct metrics *m, const size_t *client_connections,
                   struct strbuf *out);

#endif
