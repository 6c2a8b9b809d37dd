/*
 * metrics: per-worker lock-free counters, summed into Prometheus text
 * (see metrics.h).
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The outcomes of a request: "ok" and every error code canon.c knows
 * (keep the two tables in step; a code missing here counts as
 * "internal"). The label set of requests_total and errors_total. */
static const char *const outcomes[] = {
    "ok",
    "bad_request",
    "invalid_json",
    "invalid_input",
    "limit_exceeded",
    "unknown_capability",
    "not_found",
    "method_not_allowed",
    "body_too_large",
    "unsupported_media_type",
    "header_too_large",
    "not_implemented",
    "http_version_not_supported",
    "upstream_fault",
    "upstream_bad_response",
    "upstream_unavailable",
    "upstream_timeout",
    "not_ready",
    "internal",
    "client_closed",
};
#define N_OUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

/* The outcomes of one upstream call; the last is where unknown names go. */
static const char *const upstreamOutcomes[] = {
    "ok", "fault", "timeout", "unavailable", "bad_response", "error",
};
#define N_UPSTREAM_OUTCOMES                                                    \
    (sizeof(upstreamOutcomes) / sizeof(upstreamOutcomes[0]))

/* Bucket bounds, as numbers to compare and as the le="" text to write
 * (written from the table, so that no printf rounding ever changes a
 * bucket's name between scrapes). */
static const struct {
    double seconds;
    const char *text;
} buckets[METRICS_BUCKETS] = {
    {0.0005, "0.0005"}, {0.001, "0.001"}, {0.0025, "0.0025"}, {0.005, "0.005"},
    {0.01, "0.01"},     {0.025, "0.025"}, {0.05, "0.05"},     {0.1, "0.1"},
    {0.25, "0.25"},     {0.5, "0.5"},     {1, "1"},           {2.5, "2.5"},
    {5, "5"},           {10, "10"},       {30, "30"},
};
#define N_SLOTS_PER_HISTOGRAM (METRICS_BUCKETS + 1) /* +Inf on top */

/* Durations longer than this (11.5 days) are counted as this, which keeps
 * the nanosecond sums far from overflowing. */
#define MAX_SECONDS 1e6

/* Where each counter array sits in a worker's counters[]. A "capability
 * slot" is a capability index, or the last slot (at the capabilities'
 * room) for capability="". */
struct layout {
    size_t requests;        /* [slot][outcome] */
    size_t request_hist;    /* [slot][bucket], not cumulative */
    size_t request_sum_ns;  /* [slot] */
    size_t bytes_in;        /* [slot] */
    size_t bytes_out;       /* [slot] */
    size_t warnings;        /* [slot] */
    size_t upstream;        /* [op][upstream outcome] */
    size_t upstream_hist;   /* [op][bucket] */
    size_t upstream_sum_ns; /* [op] */
    size_t total;
};

struct metrics_worker {
    const struct metrics *metrics;
    atomic_llong in_flight;
    atomic_ullong upstream_in_flight;
    atomic_ullong connections_opened;
    atomic_ullong counters[]; /* struct layout */
};

/* The names of one label: room slots made at the start, filled in order
 * by one thread; n is published (release) after the name it counts. */
struct labelset {
    char **names;
    size_t room;
    atomic_size_t n;
};

struct metrics {
    size_t n_workers;
    struct metrics_worker **workers;
    struct labelset capabilities;
    struct labelset operations;
    struct layout at;
    atomic_ullong reloads_ok;
    atomic_ullong reloads_failed;
    atomic_int last_reload_ok;
};

/* The one writer of a counter adds by a relaxed load and store: no other
 * thread writes it, so no locked read-modify-write is needed, and readers
 * see either the old or the new value. */
static void add(atomic_ullong *counter, unsigned long long n)
{
    atomic_store_explicit(
        counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
        memory_order_relaxed);
}

static void planLayout(struct layout *at, size_t capability_room,
                       size_t operation_room)
{
    size_t slots = capability_room + 1, next = 0; /* and capability="" */
    at->requests = next, next += slots * N_OUTCOMES;
    at->request_hist = next, next += slots * N_SLOTS_PER_HISTOGRAM;
    at->request_sum_ns = next, next += slots;
    at->bytes_in = next, next += slots;
    at->bytes_out = next, next += slots;
    at->warnings = next, next += slots;
    at->upstream = next, next += operation_room * N_UPSTREAM_OUTCOMES;
    at->upstream_hist = next, next += operation_room * N_SLOTS_PER_HISTOGRAM;
    at->upstream_sum_ns = next, next += operation_room;
    at->total = next;
}

static int labelsInit(struct labelset *l, size_t room)
{
    l->room = room;
    atomic_init(&l->n, 0);
    return (l->names = calloc(room + 1, sizeof(*l->names))) ? 0 : -1;
}

static void labelsFree(struct labelset *l)
{
    size_t n = atomic_load_explicit(&l->n, memory_order_relaxed);
    for (size_t i = 0; l->names && i < n; i++)
        free(l->names[i]);
    free(l->names);
}

static int labelsAdd(struct labelset *l, const char *name)
{
    size_t n = atomic_load_explicit(&l->n, memory_order_relaxed);
    name = name ? name : "";
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->names[i], name) == 0)
            return (int)i;
    if (n == l->room || !(l->names[n] = strdup(name)))
        return -1;
    atomic_store_explicit(&l->n, n + 1, memory_order_release);
    return (int)n;
}

/* The names published so far (any thread). */
static size_t labelsCount(const struct labelset *l)
{
    return atomic_load_explicit(&l->n, memory_order_acquire);
}

/* Each worker gets its own cache lines, so that one worker's counting
 * never invalidates the line another worker is writing. */
static struct metrics_worker *newWorker(const struct metrics *m)
{
    enum { LINE = 64 };
    size_t size =
        sizeof(struct metrics_worker) + m->at.total * sizeof(atomic_ullong);
    size = (size + LINE - 1) / LINE * LINE;
    struct metrics_worker *w = aligned_alloc(LINE, size);
    if (!w)
        return NULL;
    w->metrics = m;
    atomic_init(&w->in_flight, 0);
    atomic_init(&w->upstream_in_flight, 0);
    atomic_init(&w->connections_opened, 0);
    for (size_t i = 0; i < m->at.total; i++)
        atomic_init(&w->counters[i], 0);
    return w;
}

struct metrics *metrics_new(size_t n_workers, const char *const *capabilities,
                            size_t n_capabilities,
                            const char *const *upstream_ops,
                            size_t n_upstream_ops, size_t spare)
{
    if (n_workers == 0 || n_workers > METRICS_MAX_WORKERS ||
        n_capabilities > METRICS_MAX_LABELS ||
        n_upstream_ops > METRICS_MAX_LABELS ||
        spare > METRICS_MAX_LABELS - n_capabilities ||
        spare > METRICS_MAX_LABELS - n_upstream_ops)
        return NULL;
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    atomic_init(&m->reloads_ok, 0);
    atomic_init(&m->reloads_failed, 0);
    atomic_init(&m->last_reload_ok, 1);
    planLayout(&m->at, n_capabilities + spare, n_upstream_ops + spare);
    if (labelsInit(&m->capabilities, n_capabilities + spare) < 0 ||
        labelsInit(&m->operations, n_upstream_ops + spare) < 0 ||
        !(m->workers = calloc(n_workers, sizeof(*m->workers))))
        goto fail;
    for (size_t i = 0; i < n_capabilities; i++)
        if (metrics_add_capability(m, capabilities[i]) != (int)i)
            goto fail;  /* out of memory, or a name given twice */
    for (size_t i = 0; i < n_upstream_ops; i++)
        if (metrics_add_operation(m, upstream_ops[i]) != (int)i)
            goto fail;
    for (; m->n_workers < n_workers; m->n_workers++)
        if (!(m->workers[m->n_workers] = newWorker(m)))
            goto fail;
    return m;
fail:
    metrics_free(m);
    return NULL;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_workers; i++)
        free(m->workers[i]);
    free(m->workers);
    labelsFree(&m->capabilities);
    labelsFree(&m->operations);
    free(m);
}

int metrics_add_capability(struct metrics *m, const char *name)
{
    return m ? labelsAdd(&m->capabilities, name) : -1;
}

int metrics_add_operation(struct metrics *m, const char *name)
{
    return m ? labelsAdd(&m->operations, name) : -1;
}

void metrics_config_reload(struct metrics *m, int ok)
{
    if (!m)
        return;
    add(ok ? &m->reloads_ok : &m->reloads_failed, 1);
    atomic_store_explicit(&m->last_reload_ok, ok != 0, memory_order_relaxed);
}

struct metrics_worker *metrics_worker(struct metrics *m, size_t i)
{
    return m && i < m->n_workers ? m->workers[i] : NULL;
}

int metrics_outcome_index(const char *name)
{
    for (size_t i = 0; name && i < N_OUTCOMES; i++)
        if (strcmp(outcomes[i], name) == 0)
            return (int)i;
    return -1;
}

const char *metrics_outcome_name(int i)
{
    return i >= 0 && (size_t)i < N_OUTCOMES ? outcomes[i] : NULL;
}

size_t metrics_outcome_count(void)
{
    return N_OUTCOMES;
}

/* The slot of a capability index: itself, or the last slot ("") for -1
 * and anything out of range. */
static size_t capabilitySlot(const struct metrics *m, int capability)
{
    return capability >= 0 && (size_t)capability < m->capabilities.room
               ? (size_t)capability
               : m->capabilities.room;
}

static double boundSeconds(double seconds)
{
    if (!(seconds >= 0)) /* negative or NaN */
        return 0;
    return seconds > MAX_SECONDS ? MAX_SECONDS : seconds;
}

/* Count one duration into the histogram whose bucket counters start at
 * hist, and its sum in nanoseconds at *sum_ns. */
static void observe(atomic_ullong *hist, atomic_ullong *sum_ns, double seconds)
{
    size_t b = 0;
    seconds = boundSeconds(seconds);
    while (b < METRICS_BUCKETS && seconds > buckets[b].seconds)
        b++;
    add(&hist[b], 1);
    add(sum_ns, (unsigned long long)(seconds * 1e9 + 0.5));
}

void metrics_request_done(struct metrics_worker *w, int capability, int outcome,
                          double seconds, size_t bytes_in, size_t bytes_out)
{
    if (!w)
        return;
    const struct metrics *m = w->metrics;
    const struct layout *at = &m->at;
    size_t slot = capabilitySlot(m, capability);
    if (outcome < 0 || (size_t)outcome >= N_OUTCOMES)
        outcome = metrics_outcome_index("internal");
    add(&w->counters[at->requests + slot * N_OUTCOMES + (size_t)outcome], 1);
    observe(&w->counters[at->request_hist + slot * N_SLOTS_PER_HISTOGRAM],
            &w->counters[at->request_sum_ns + slot], seconds);
    add(&w->counters[at->bytes_in + slot], bytes_in);
    add(&w->counters[at->bytes_out + slot], bytes_out);
}

static size_t upstreamOutcomeIndex(const char *name)
{
    size_t i = 0;
    while (i < N_UPSTREAM_OUTCOMES - 1 &&
           !(name && strcmp(upstreamOutcomes[i], name) == 0))
        i++;
    return i;
}

void metrics_upstream_done(struct metrics_worker *w, int op,
                           const char *outcome, double seconds)
{
    if (!w || op < 0 || (size_t)op >= w->metrics->operations.room)
        return;
    const struct layout *at = &w->metrics->at;
    size_t o = (size_t)op;
    add(&w->counters[at->upstream + o * N_UPSTREAM_OUTCOMES +
                     upstreamOutcomeIndex(outcome)],
        1);
    observe(&w->counters[at->upstream_hist + o * N_SLOTS_PER_HISTOGRAM],
            &w->counters[at->upstream_sum_ns + o], seconds);
}

void metrics_in_flight(struct metrics_worker *w, int delta)
{
    if (!w)
        return;
    atomic_store_explicit(
        &w->in_flight,
        atomic_load_explicit(&w->in_flight, memory_order_relaxed) + delta,
        memory_order_relaxed);
}

void metrics_warning(struct metrics_worker *w, int capability)
{
    if (!w)
        return;
    size_t slot = capabilitySlot(w->metrics, capability);
    add(&w->counters[w->metrics->at.warnings + slot], 1);
}

void metrics_upstream_pool(struct metrics_worker *w, size_t in_flight,
                           size_t connections_opened)
{
    if (!w)
        return;
    atomic_store_explicit(&w->upstream_in_flight, in_flight,
                          memory_order_relaxed);
    atomic_store_explicit(&w->connections_opened, connections_opened,
                          memory_order_relaxed);
}

/* ---- rendering ---- */

/* Counter `index` summed over the workers. */
static unsigned long long total(const struct metrics *m, size_t index)
{
    unsigned long long sum = 0;
    for (size_t i = 0; i < m->n_workers; i++)
        sum += atomic_load_explicit(&m->workers[i]->counters[index],
                                    memory_order_relaxed);
    return sum;
}

static void putFamily(struct strbuf *out, const char *name, const char *type,
                      const char *help)
{
    strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped (exposition format 0.0.4). */
static void putLabelValue(struct strbuf *out, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = *s == '\\'   ? "\\\\"
                          : *s == '"'  ? "\\\""
                          : *s == '\n' ? "\\n"
                                       : NULL;
        if (!rep)
            continue;
        strbuf_append(out, run, (size_t)(s - run));
        strbuf_puts(out, rep);
        run = s + 1;
    }
    strbuf_append(out, run, (size_t)(s - run));
}

/* name{label="value"[,label2="value2"]} (label NULL: no braces). */
static void putSeries(struct strbuf *out, const char *name, const char *label,
                      const char *value, const char *label2, const char *value2)
{
    strbuf_puts(out, name);
    if (!label)
        return;
    strbuf_printf(out, "{%s=\"", label);
    putLabelValue(out, value);
    if (label2) {
        strbuf_printf(out, "\",%s=\"", label2);
        putLabelValue(out, value2);
    }
    strbuf_puts(out, "\"}");
}

/* The capability slots in use: the n names published when the scrape
 * began, then the slot of capability="". Slot i of n + 1. */
static size_t capabilitySlotAt(const struct metrics *m, size_t i, size_t n)
{
    return i < n ? i : m->capabilities.room;
}

static const char *capabilityName(const struct metrics *m, size_t slot)
{
    return slot < m->capabilities.room ? m->capabilities.names[slot] : "";
}

/* One line per capability slot whose counter is not 0; the counters
 * start at base, one per slot. */
static void putByCapability(struct strbuf *out, const struct metrics *m,
                            const char *name, size_t base)
{
    size_t n = labelsCount(&m->capabilities);
    for (size_t i = 0; i <= n; i++) {
        size_t slot = capabilitySlotAt(m, i, n);
        unsigned long long v = total(m, base + slot);
        if (v == 0)
            continue;
        putSeries(out, name, "capability", capabilityName(m, slot), NULL, NULL);
        strbuf_printf(out, " %llu\n", v);
    }
}

/* The histogram whose buckets start at counters[hist]; nothing when it
 * has no observation yet. */
static void putHistogram(struct strbuf *out, const struct metrics *m,
                         const char *name, const char *label, const char *value,
                         size_t hist, size_t sum_ns)
{
    unsigned long long counts[N_SLOTS_PER_HISTOGRAM], cumulative = 0;
    for (size_t b = 0; b < N_SLOTS_PER_HISTOGRAM; b++)
        cumulative += counts[b] = total(m, hist + b);
    if (cumulative == 0)
        return;
    cumulative = 0;
    for (size_t b = 0; b < N_SLOTS_PER_HISTOGRAM; b++) {
        cumulative += counts[b];
        strbuf_printf(out, "%s_bucket{%s=\"", name, label);
        putLabelValue(out, value);
        strbuf_printf(out, "\",le=\"%s\"} %llu\n",
                      b < METRICS_BUCKETS ? buckets[b].text : "+Inf",
                      cumulative);
    }
    unsigned long long ns = total(m, sum_ns);
    strbuf_printf(out, "%s_sum{%s=\"", name, label);
    putLabelValue(out, value);
    strbuf_printf(out, "\"} %llu.%09llu\n", ns / 1000000000ull,
                  ns % 1000000000ull);
    strbuf_printf(out, "%s_count{%s=\"", name, label);
    putLabelValue(out, value);
    strbuf_printf(out, "\"} %llu\n", cumulative);
}

static void renderRequests(const struct metrics *m, struct strbuf *out)
{
    const struct layout *at = &m->at;
    size_t n = labelsCount(&m->capabilities);
    const char *name = "soapbridge_requests_total";
    putFamily(out, name, "counter",
              "Requests answered, by capability and outcome (ok or the "
              "error code).");
    for (size_t i = 0; i <= n; i++)
        for (size_t o = 0, slot = capabilitySlotAt(m, i, n); o < N_OUTCOMES;
             o++) {
            unsigned long long v =
                total(m, at->requests + slot * N_OUTCOMES + o);
            if (v == 0)
                continue;
            putSeries(out, name, "capability", capabilityName(m, slot),
                      "outcome", outcomes[o]);
            strbuf_printf(out, " %llu\n", v);
        }
    name = "soapbridge_request_duration_seconds";
    putFamily(out, name, "histogram",
              "Time from a request's arrival to its reply, by capability.");
    for (size_t i = 0; i <= n; i++) {
        size_t slot = capabilitySlotAt(m, i, n);
        putHistogram(out, m, name, "capability", capabilityName(m, slot),
                     at->request_hist + slot * N_SLOTS_PER_HISTOGRAM,
                     at->request_sum_ns + slot);
    }
    putFamily(out, "soapbridge_request_bytes_total", "counter",
              "Bytes of request bodies received, by capability.");
    putByCapability(out, m, "soapbridge_request_bytes_total", at->bytes_in);
    putFamily(out, "soapbridge_response_bytes_total", "counter",
              "Bytes of response bodies sent, by capability.");
    putByCapability(out, m, "soapbridge_response_bytes_total", at->bytes_out);
}

static void renderErrors(const struct metrics *m, struct strbuf *out)
{
    const char *name = "soapbridge_errors_total";
    putFamily(out, name, "counter",
              "Requests answered with an error, by "
              "error code.");
    for (size_t o = 0; o < N_OUTCOMES; o++) {
        unsigned long long v = 0;
        if (o == METRICS_OUTCOME_OK)
            continue;
        for (size_t slot = 0; slot <= m->capabilities.room; slot++)
            v += total(m, m->at.requests + slot * N_OUTCOMES + o);
        if (v == 0)
            continue;
        putSeries(out, name, "code", outcomes[o], NULL, NULL);
        strbuf_printf(out, " %llu\n", v);
    }
    long long in_flight = 0;
    for (size_t i = 0; i < m->n_workers; i++)
        in_flight += atomic_load_explicit(&m->workers[i]->in_flight,
                                          memory_order_relaxed);
    putFamily(out, "soapbridge_in_flight_requests", "gauge",
              "Requests received and not yet answered.");
    strbuf_printf(out, "soapbridge_in_flight_requests %lld\n", in_flight);
    putFamily(out, "soapbridge_translation_warnings_total", "counter",
              "Undeclared upstream content converted by the generic rule, "
              "by capability.");
    putByCapability(out, m, "soapbridge_translation_warnings_total",
                    m->at.warnings);
}

static void renderUpstream(const struct metrics *m, struct strbuf *out)
{
    const struct layout *at = &m->at;
    size_t n = labelsCount(&m->operations);
    char *const *ops = m->operations.names;
    const char *name = "soapbridge_upstream_requests_total";
    putFamily(out, name, "counter",
              "SOAP calls to upstream services, by operation and outcome.");
    for (size_t op = 0; op < n; op++)
        for (size_t o = 0; o < N_UPSTREAM_OUTCOMES; o++) {
            unsigned long long v =
                total(m, at->upstream + op * N_UPSTREAM_OUTCOMES + o);
            if (v == 0)
                continue;
            putSeries(out, name, "operation", ops[op], "outcome",
                      upstreamOutcomes[o]);
            strbuf_printf(out, " %llu\n", v);
        }
    name = "soapbridge_upstream_duration_seconds";
    putFamily(out, name, "histogram",
              "Duration of SOAP calls to upstream services, by operation.");
    for (size_t op = 0; op < n; op++)
        putHistogram(out, m, name, "operation", ops[op],
                     at->upstream_hist + op * N_SLOTS_PER_HISTOGRAM,
                     at->upstream_sum_ns + op);
}

/* The pool figures are per worker: a worker whose pool is exhausted
 * while the others idle is what these are for. */
static void renderPools(const struct metrics *m, const size_t *clients,
                        struct strbuf *out)
{
    putFamily(out, "soapbridge_client_connections", "gauge",
              "Open client connections, by worker.");
    for (size_t i = 0; i < m->n_workers; i++)
        strbuf_printf(out, "soapbridge_client_connections{worker=\"%zu\"} "
                      "%zu\n", i, clients ? clients[i] : 0);
    putFamily(out, "soapbridge_upstream_in_flight", "gauge",
              "Upstream calls in flight, by worker.");
    for (size_t i = 0; i < m->n_workers; i++)
        strbuf_printf(out,
                      "soapbridge_upstream_in_flight{worker=\"%zu\"} "
                      "%llu\n",
                      i,
                      atomic_load_explicit(&m->workers[i]->upstream_in_flight,
                                           memory_order_relaxed));
    putFamily(out, "soapbridge_upstream_connections_opened_total", "counter",
              "Connections opened to upstream services, by worker.");
    for (size_t i = 0; i < m->n_workers; i++)
        strbuf_printf(out,
                      "soapbridge_upstream_connections_opened_total"
                      "{worker=\"%zu\"} %llu\n",
                      i,
                      atomic_load_explicit(&m->workers[i]->connections_opened,
                                           memory_order_relaxed));
}

static void renderReloads(const struct metrics *m, struct strbuf *out)
{
    const char *name = "soapbridge_config_reloads_total";
    putFamily(out, name, "counter",
              "Configuration reloads (SIGHUP), by outcome.");
    strbuf_printf(out, "%s{outcome=\"ok\"} %llu\n%s{outcome=\"failed\"} %llu\n",
                  name, atomic_load_explicit(&m->reloads_ok,
                                             memory_order_relaxed),
                  name, atomic_load_explicit(
                            &m->reloads_failed,
                            memory_order_relaxed));
    name = "soapbridge_config_last_reload_successful";
    putFamily(out, name, "gauge",
              "0 when the last reload failed and the configuration before "
              "it still serves, else 1.");
    strbuf_printf(out, "%s %d\n", name,
                  atomic_load_explicit(&m->last_reload_ok,
                                       memory_order_relaxed));
}

int metrics_render(const struct metrics *m, const size_t *client_connections,
                   struct strbuf *out)
{
    renderRequests(m, out);
    renderErrors(m, out);
    renderUpstream(m, out);
    renderPools(m, client_connections, out);
    renderReloads(m, out);
    return strbuf_failed(out) ? -1 : 0;
}
