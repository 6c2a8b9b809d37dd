/*
 * Unit tests of upstream: plainhttp and the libcurl multi client on a
 * libevent loop (http:// targets go to plainhttp, https:// to libcurl).
 *
 * Every test runs a real HTTP server (libevent evhttp on 127.0.0.1, a
 * port the kernel picks) on the same event_base as the pool under test,
 * and runs the loop until the calls it waits for have called back:
 * waiting for the event is the synchronisation, nothing sleeps.
 *
 * Server paths: /echo answers the request body (or "got GET"), /fault a
 * 500 with a SOAP fault, /hang never answers, /big and /chunked a body of
 * BIG_BYTES (with Content-Length, or chunked without), /redirect a 302,
 * /pair holds the first request until a second one arrives and then
 * answers both at once. TLS tests add a second server speaking HTTPS
 * with a self-signed certificate made for the test. The scripted server
 * (a raw listener) answers each request with the next answer of a
 * test's script, byte for byte, for what evhttp would never write.
 */
#include <check.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "suites.h"
#include "testutil.h"
#include "upstream.h"

#define BIG_BYTES 100000
#define MAX_CALLS 64
/* Only a guard so that a broken test fails instead of hanging (under
 * valgrind with CK_FORK=no check's own timeout does not apply). */
#define WATCHDOG_SECONDS 60
#define SLOW_MS 30000

/* What one call got back, copied in its done callback. */
struct result {
    int calls;                  /* times the callback ran */
    enum upstream_outcome outcome;
    long status;
    char content_type[128];
    char *body;
    size_t body_len;
    int reused;
    char message[256];
    struct upstream_call *handle;
};

/* One answer of the scripted server: its bytes, written `piece` bytes
 * at a time (0: at once); then the connection stays open, or closes
 * (close); bytes NULL closes it without answering. */
struct scripted {
    const char *bytes;
    size_t piece;
    int close;
};

struct rawConn;
static void rawClose(struct rawConn *rc);

/* What the server saw of the last request. */
struct seen {
    char method[16];
    char uri[256];
    char content_type[128];
    char soap_action[128];
    char authorization[128];
    char first_authorization[128];  /* of the test's first request */
    char expect[64];
    char *body;
    size_t body_len;
};

static struct {
    struct event_base *base;
    struct evhttp *http;
    int port;
    struct event *watchdog;
    int watchdog_fired;
    struct upstream_pool *pool;
    int connections;            /* accepted by the server */
    int requests;               /* requests the server received */
    int hanging;                /* requests to /hang so far */
    int hang_break_at;          /* break the loop at this many hanging */
    void (*on_hang)(void);
    struct evhttp_request *paired;  /* /pair: the first, waiting */
    struct seen seen;
    int completed;              /* callbacks that ran */
    int break_at;               /* break the loop at this many */
    struct result results[MAX_CALLS];
    char urls[MAX_CALLS][128];
    struct upstream_target targets[MAX_CALLS];
    struct {                    /* the scripted server, when a test starts it */
        struct evconnlistener *listener;
        const struct scripted *answers;     /* one per request */
        int next;
        struct rawConn *open[16];           /* closed at teardown */
        int connections, requests;
    } raw;
    struct {                    /* the HTTPS server, when a test starts it */
        struct evhttp *http;
        SSL_CTX *ctx;
        int port;
        char dir[PATH_MAX - 16], cert[PATH_MAX], key[PATH_MAX];
    } tls;
} fx;

/* ---- the test server ---- */

static void copyHeader(struct evhttp_request *req, const char *name,
                       char *dst, size_t size)
{
    const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
                                       name);
    snprintf(dst, size, "%s", v ? v : "");
}

static void recordRequest(struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    struct seen *s = &fx.seen;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    fx.requests++;
    snprintf(s->method, sizeof(s->method), "%s",
             cmd == EVHTTP_REQ_GET ? "GET" : cmd == EVHTTP_REQ_POST ? "POST"
                                                                  : "OTHER");
    snprintf(s->uri, sizeof(s->uri), "%s", evhttp_request_get_uri(req));
    copyHeader(req, "Content-Type", s->content_type, sizeof(s->content_type));
    copyHeader(req, "SOAPAction", s->soap_action, sizeof(s->soap_action));
    copyHeader(req, "Authorization", s->authorization,
               sizeof(s->authorization));
    copyHeader(req, "Expect", s->expect, sizeof(s->expect));
    if (fx.requests == 1)
        snprintf(s->first_authorization, sizeof(s->first_authorization), "%s",
                 s->authorization);
    free(s->body);
    s->body_len = evbuffer_get_length(in);
    s->body = malloc(s->body_len + 1);
    ck_assert_ptr_nonnull(s->body);
    evbuffer_copyout(in, s->body, s->body_len);
    s->body[s->body_len] = 0;
}

static void reply(struct evhttp_request *req, int status, const char *type,
                  const char *body, size_t len)
{
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, body, len);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      type);
    evhttp_send_reply(req, status, status == 200 ? "OK" : "Other", out);
    evbuffer_free(out);
}

static void replyEcho(struct evhttp_request *req)
{
    if (evhttp_request_get_command(req) == EVHTTP_REQ_GET) {
        reply(req, 200, "text/plain", "got GET", 7);
        return;
    }
    reply(req, 200, "text/xml; charset=utf-8", fx.seen.body, fx.seen.body_len);
}

static void replyChunked(struct evhttp_request *req)
{
    static char chunk[BIG_BYTES / 10];
    memset(chunk, 'c', sizeof(chunk));
    evhttp_send_reply_start(req, 200, "OK");
    for (int i = 0; i < 10; i++) {
        struct evbuffer *out = evbuffer_new();
        evbuffer_add(out, chunk, sizeof(chunk));
        evhttp_send_reply_chunk(req, out);
        evbuffer_free(out);
    }
    evhttp_send_reply_end(req);
}

static void onHang(struct evhttp_request *req)
{
    (void)req;      /* libevent frees it when the client goes away */
    fx.hanging++;
    if (fx.on_hang)
        fx.on_hang();
    if (fx.hang_break_at && fx.hanging == fx.hang_break_at)
        event_base_loopbreak(fx.base);
}

static void onPair(struct evhttp_request *req)
{
    if (!fx.paired) {
        fx.paired = req;
        return;
    }
    reply(fx.paired, 200, "text/plain", "first", 5);
    reply(req, 200, "text/plain", "second", 6);
    fx.paired = NULL;
}

static void onRequest(struct evhttp_request *req, void *arg)
{
    const char *path = evhttp_request_get_uri(req);
    static char big[BIG_BYTES];
    static const char fault[] =
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/"
        "envelope/\"><soap:Body><soap:Fault><faultcode>soap:Server"
        "</faultcode><faultstring>no such order</faultstring></soap:Fault>"
        "</soap:Body></soap:Envelope>";
    (void)arg;
    recordRequest(req);
    if (strcmp(path, "/echo") == 0) {
        replyEcho(req);
    } else if (strcmp(path, "/fault") == 0) {
        reply(req, 500, "text/xml; charset=utf-8", fault, strlen(fault));
    } else if (strcmp(path, "/hang") == 0) {
        onHang(req);
    } else if (strcmp(path, "/big") == 0) {
        memset(big, 'b', sizeof(big));
        reply(req, 200, "text/plain", big, sizeof(big));
    } else if (strcmp(path, "/chunked") == 0) {
        replyChunked(req);
    } else if (strcmp(path, "/redirect") == 0) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
                          "/echo");
        evhttp_send_reply(req, 302, "Found", NULL);
    } else if (strcmp(path, "/pair") == 0) {
        onPair(req);
    } else {
        evhttp_send_error(req, 404, NULL);
    }
}

/* Called once per accepted connection: the server's connection count. */
static struct bufferevent *onConnection(struct event_base *base, void *arg)
{
    (void)arg;
    fx.connections++;
    return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static int boundPort(evutil_socket_t fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    return ntohs(sin.sin_port);
}

static void onWatchdog(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fx.watchdog_fired = 1;
    event_base_loopbreak(fx.base);
}

static void setup(void)
{
    struct sb_error err;
    signal(SIGPIPE, SIG_IGN);   /* as the daemon does */
    /* An http_proxy in the environment must not catch 127.0.0.1. */
    setenv("no_proxy", "127.0.0.1", 1);
    ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    memset(&fx, 0, sizeof(fx));
    ck_assert_ptr_nonnull(fx.base = event_base_new());
    ck_assert_ptr_nonnull(fx.http = evhttp_new(fx.base));
    evhttp_set_gencb(fx.http, onRequest, NULL);
    evhttp_set_bevcb(fx.http, onConnection, NULL);
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(bound);
    fx.port = boundPort(evhttp_bound_socket_get_fd(bound));
    fx.watchdog = evtimer_new(fx.base, onWatchdog, NULL);
    struct timeval guard = {WATCHDOG_SECONDS, 0};
    evtimer_add(fx.watchdog, &guard);
    error_clear(&err);
    fx.pool = upstream_pool_new(fx.base, 8, 8, &err);
    ck_assert_ptr_nonnull(fx.pool);
}

static void stopTlsServer(void)
{
    if (!fx.tls.http)
        return;
    evhttp_free(fx.tls.http);
    SSL_CTX_free(fx.tls.ctx);
    unlink(fx.tls.cert);
    unlink(fx.tls.key);
    rmdir(fx.tls.dir);
}

static void teardown(void)
{
    unsetenv("http_proxy");
    upstream_pool_free(fx.pool);
    if (fx.raw.listener)
        evconnlistener_free(fx.raw.listener);
    for (int i = 0; i < 16; i++)
        if (fx.raw.open[i])
            rawClose(fx.raw.open[i]);
    stopTlsServer();
    evhttp_free(fx.http);
    event_free(fx.watchdog);
    event_base_free(fx.base);
    for (int i = 0; i < MAX_CALLS; i++)
        free(fx.results[i].body);
    free(fx.seen.body);
    curl_global_cleanup();
}

/* ---- the client side ---- */

static void onDone(const struct upstream_response *res, void *arg)
{
    struct result *r = arg;
    r->calls++;
    r->handle = NULL;
    r->outcome = res->outcome;
    r->status = res->http_status;
    snprintf(r->content_type, sizeof(r->content_type), "%s",
             res->content_type ? res->content_type : "");
    free(r->body);
    r->body = malloc(res->body_len + 1);
    memcpy(r->body, res->body, res->body_len + 1);
    r->body_len = res->body_len;
    r->reused = res->reused_connection;
    snprintf(r->message, sizeof(r->message), "%s", res->message);
    fx.completed++;
    if (fx.completed == fx.break_at)
        event_base_loopbreak(fx.base);
}

/* Target i at the URL fmt makes, with the test's defaults. */
static struct upstream_target *targetUrl(int i, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct upstream_target *targetUrl(int i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fx.urls[i], sizeof(fx.urls[i]), fmt, ap);
    va_end(ap);
    memset(&fx.targets[i], 0, sizeof(fx.targets[i]));
    fx.targets[i].url = fx.urls[i];
    /* Generous: under valgrind a TLS handshake (and loading the system's
     * CAs) can take longer than the 2 s default. Timeout tests set their
     * own. */
    fx.targets[i].connect_timeout_ms = SLOW_MS;
    fx.targets[i].timeout_ms = SLOW_MS;
    return &fx.targets[i];
}

/* Target i: http://127.0.0.1:PORT/path. */
static struct upstream_target *target(int i, const char *path)
{
    return targetUrl(i, "http://127.0.0.1:%d%s", fx.port, path);
}

static struct upstream_call *startOn(int i, const struct upstream_target *t,
                                     const char *body,
                                     const char *const *headers,
                                     upstream_done_fn done)
{
    struct sb_error err;
    struct upstream_request req = {
        .target = t,
        .headers = headers,
        .body = body,
        .body_len = body ? strlen(body) : 0,
    };
    error_clear(&err);
    struct upstream_call *call = upstream_call_start(fx.pool, &req, done,
                                                     &fx.results[i], &err);
    ck_assert_msg(call != NULL, "start: %s", err.message);
    fx.results[i].handle = call;
    /* Never inside upstream_call_start. */
    ck_assert_int_eq(fx.results[i].calls, 0);
    return call;
}

static struct upstream_call *start(int i, const char *path, const char *body)
{
    return startOn(i, target(i, path), body, NULL, onDone);
}

/* Run the loop until `calls` callbacks have run in all. */
static void waitFor(int calls)
{
    fx.break_at = calls;
    if (fx.completed < calls)
        event_base_dispatch(fx.base);
    ck_assert_msg(!fx.watchdog_fired, "the loop did not finish");
    ck_assert_int_eq(fx.completed, calls);
}

static void waitForHanging(int n)
{
    fx.hang_break_at = n;
    if (fx.hanging < n)
        event_base_dispatch(fx.base);
    ck_assert_msg(!fx.watchdog_fired, "the loop did not finish");
    ck_assert_int_eq(fx.hanging, n);
}

static void assertOutcome(int i, enum upstream_outcome want)
{
    ck_assert_int_eq(fx.results[i].calls, 1);
    ck_assert_msg(fx.results[i].outcome == want, "call %d: %s (%s), want %s",
                  i, upstream_outcome_name(fx.results[i].outcome),
                  fx.results[i].message, upstream_outcome_name(want));
}

/* ---- the tests ---- */

START_TEST(post_reaches_server_and_answer_returns)
{
    static const char *const headers[] = {
        "Content-Type: text/xml; charset=utf-8",
        "SOAPAction: \"urn:GetOrderStatus\"",
        NULL,
    };
    const char *body = "<Envelope>A1001</Envelope>";
    startOn(0, target(0, "/echo"), body, headers, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.seen.method, "POST");
    ck_assert_str_eq(fx.seen.uri, "/echo");
    ck_assert_str_eq(fx.seen.body, body);
    ck_assert_str_eq(fx.seen.content_type, "text/xml; charset=utf-8");
    ck_assert_str_eq(fx.seen.soap_action, "\"urn:GetOrderStatus\"");
    ck_assert_str_eq(fx.seen.authorization, "");
    ck_assert_int_eq(fx.results[0].status, 200);
    ck_assert_str_eq(fx.results[0].content_type, "text/xml; charset=utf-8");
    ck_assert_str_eq(fx.results[0].body, body);
    ck_assert_uint_eq(fx.results[0].body_len, strlen(body));
    ck_assert_str_eq(fx.results[0].message, "");
    ck_assert_int_eq(fx.results[0].reused, 0);
}
END_TEST

START_TEST(no_body_is_a_get)
{
    start(0, "/echo", NULL);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.seen.method, "GET");
    ck_assert_str_eq(fx.results[0].body, "got GET");
}
END_TEST

START_TEST(large_post_sends_no_expect_continue)
{
    size_t len = 200000;
    char *body = malloc(len + 1);
    memset(body, 'p', len);
    body[len] = 0;
    start(0, "/echo", body);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.seen.expect, "");
    ck_assert_uint_eq(fx.seen.body_len, len);
    ck_assert_uint_eq(fx.results[0].body_len, len);
    ck_assert_int_eq(memcmp(fx.results[0].body, body, len), 0);
    free(body);
}
END_TEST

START_TEST(http_500_with_fault_is_ok)
{
    start(0, "/fault", "<Envelope/>");
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_int_eq(fx.results[0].status, 500);
    ck_assert_ptr_nonnull(strstr(fx.results[0].body, "<faultstring>no such "
                                                     "order</faultstring>"));
}
END_TEST

START_TEST(redirect_is_not_followed)
{
    start(0, "/redirect", "<Envelope/>");
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_int_eq(fx.results[0].status, 302);
    ck_assert_int_eq(fx.requests, 1);
}
END_TEST

/* The second call starts from the first one's callback. */
static void startSecond(const struct upstream_response *res, void *arg)
{
    onDone(res, arg);
    start(1, "/echo", "second");
}

START_TEST(sequential_calls_reuse_one_connection)
{
    startOn(0, target(0, "/echo"), "first", NULL, startSecond);
    waitFor(2);
    assertOutcome(0, UPSTREAM_OK);
    assertOutcome(1, UPSTREAM_OK);
    ck_assert_str_eq(fx.results[1].body, "second");
    ck_assert_int_eq(fx.results[0].reused, 0);
    ck_assert_int_eq(fx.results[1].reused, 1);
    ck_assert_int_eq(fx.connections, 1);
    /* And a third one after the loop has been left and re-entered. */
    start(2, "/echo", "third");
    waitFor(3);
    assertOutcome(2, UPSTREAM_OK);
    ck_assert_int_eq(fx.results[2].reused, 1);
    ck_assert_int_eq(fx.connections, 1);
    struct upstream_pool_stats st;
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.connections_opened, 1);
    ck_assert_uint_eq(st.calls_completed, 3);
    ck_assert_uint_eq(st.in_flight, 0);
}
END_TEST

START_TEST(pool_size_caps_connections_per_host)
{
    struct sb_error err;
    upstream_pool_free(fx.pool);
    fx.pool = upstream_pool_new(fx.base, 1, 1, &err);
    ck_assert_ptr_nonnull(fx.pool);
    for (int i = 0; i < 3; i++)
        start(i, "/echo", "x");
    waitFor(3);
    for (int i = 0; i < 3; i++)
        assertOutcome(i, UPSTREAM_OK);
    ck_assert_int_eq(fx.connections, 1);
}
END_TEST

START_TEST(many_concurrent_calls_complete)
{
    enum { N = 50 };
    char bodies[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof(bodies[i]), "call %d", i);
        start(i, "/echo", bodies[i]);
    }
    struct upstream_pool_stats st;
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.in_flight, N);
    waitFor(N);
    for (int i = 0; i < N; i++) {
        assertOutcome(i, UPSTREAM_OK);
        ck_assert_str_eq(fx.results[i].body, bodies[i]);
    }
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.in_flight, 0);
    ck_assert_uint_eq(st.calls_completed, N);
    ck_assert_int_le(fx.connections, 8);
    ck_assert_uint_eq(st.connections_opened, (size_t)fx.connections);
}
END_TEST

START_TEST(no_answer_times_out)
{
    struct upstream_target *t = target(0, "/hang");
    t->timeout_ms = 200;
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TIMEOUT);
    ck_assert_int_eq(fx.results[0].status, 0);
    ck_assert_int_eq(fx.hanging, 1);
    ck_assert_str_ne(fx.results[0].message, "");
}
END_TEST

/* A call waiting in line for a connection (the pool size is 1 and a
 * call with a long timeout holds it) still ends at its own timeout. */
START_TEST(queued_calls_keep_their_own_timeout)
{
    struct sb_error err;
    upstream_pool_free(fx.pool);
    fx.pool = upstream_pool_new(fx.base, 1, 1, &err);
    ck_assert_ptr_nonnull(fx.pool);
    struct upstream_target *slow = target(0, "/hang");
    slow->timeout_ms = 600000;
    startOn(0, slow, "<Envelope/>", NULL, onDone);
    for (int i = 1; i < 3; i++) {
        struct upstream_target *t = target(i, "/echo");
        t->timeout_ms = 200;
        startOn(i, t, "<Envelope/>", NULL, onDone);
    }
    waitFor(2);
    assertOutcome(1, UPSTREAM_TIMEOUT);
    assertOutcome(2, UPSTREAM_TIMEOUT);
    ck_assert_str_ne(fx.results[1].message, "");
    ck_assert_int_eq(fx.results[0].calls, 0);
    ck_assert_int_le(fx.requests, 1);   /* only the slow one got through */
}
END_TEST

/* A port bound but not listening: the kernel refuses connections. */
static int refusingSocket(int *port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    *port = boundPort(fd);
    return fd;
}

START_TEST(refused_connection_is_unavailable)
{
    int port;
    int fd = refusingSocket(&port);
    struct upstream_target *t = targetUrl(0, "http://127.0.0.1:%d/", port);
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    close(fd);
    assertOutcome(0, UPSTREAM_UNAVAILABLE);
    ck_assert_int_eq(fx.results[0].status, 0);
    ck_assert_str_ne(fx.results[0].message, "");
}
END_TEST

static void onAcceptClose(struct evconnlistener *l, evutil_socket_t fd,
                          struct sockaddr *addr, int len, void *arg)
{
    (void)l;
    (void)addr;
    (void)len;
    (void)arg;
    evutil_closesocket(fd);
}

START_TEST(closed_before_answer_is_unavailable)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct evconnlistener *l = evconnlistener_new_bind(
        fx.base, onAcceptClose, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
        16, (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(l);
    struct upstream_target *t = targetUrl(
        0, "http://127.0.0.1:%d/", boundPort(evconnlistener_get_fd(l)));
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    evconnlistener_free(l);
    assertOutcome(0, UPSTREAM_UNAVAILABLE);
}
END_TEST

/* ---- the scripted server: answers exactly as written ---- */

/* One connection of the scripted server: what is left to write of the
 * current answer. */
struct rawConn {
    struct bufferevent *bev;
    int slot;                   /* in fx.raw.open */
    const struct scripted *answer;
    size_t written;
};

static void rawWriteMore(struct bufferevent *bev, void *arg);

/* A whole request is in: head, and a body of its Content-Length. */
static int rawRequestIn(struct evbuffer *in)
{
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0)
        return 0;
    size_t head = (size_t)end.pos + 4;
    char *text = malloc(head + 1);
    evbuffer_copyout(in, text, head);
    text[head] = '\0';
    const char *cl = strstr(text, "Content-Length: ");
    size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
    free(text);
    if (evbuffer_get_length(in) < head + body)
        return 0;
    evbuffer_drain(in, head + body);
    return 1;
}

static void rawClose(struct rawConn *rc)
{
    fx.raw.open[rc->slot] = NULL;
    bufferevent_free(rc->bev);
    free(rc);
}

static void rawRead(struct bufferevent *bev, void *arg)
{
    struct rawConn *rc = arg;
    if (rc->answer || !rawRequestIn(bufferevent_get_input(bev)))
        return;
    fx.raw.requests++;
    rc->answer = &fx.raw.answers[fx.raw.next++];
    rc->written = 0;
    if (!rc->answer->bytes) {
        rawClose(rc);
        return;
    }
    rawWriteMore(bev, rc);
}

/* Called again each time the last piece has gone to the kernel. */
static void rawWriteMore(struct bufferevent *bev, void *arg)
{
    struct rawConn *rc = arg;
    if (!rc->answer)
        return;
    size_t len = strlen(rc->answer->bytes) - rc->written;
    if (len == 0) {
        if (rc->answer->close) {
            rawClose(rc);
            return;
        }
        rc->answer = NULL;
        rawRead(bev, rc);       /* a request may wait already */
        return;
    }
    if (rc->answer->piece && len > rc->answer->piece)
        len = rc->answer->piece;
    bufferevent_write(bev, rc->answer->bytes + rc->written, len);
    rc->written += len;
}

static void rawEvent(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)what;
    rawClose(arg);
}

static void onRawAccept(struct evconnlistener *l, evutil_socket_t fd,
                        struct sockaddr *addr, int len, void *arg)
{
    (void)l;
    (void)addr;
    (void)len;
    (void)arg;
    struct bufferevent *bev = bufferevent_socket_new(fx.base, fd,
                                                     BEV_OPT_CLOSE_ON_FREE);
    struct rawConn *rc = calloc(1, sizeof(*rc));
    ck_assert_ptr_nonnull(bev);
    ck_assert_ptr_nonnull(rc);
    ck_assert_int_lt(fx.raw.connections, 16);
    rc->bev = bev;
    rc->slot = fx.raw.connections++;
    fx.raw.open[rc->slot] = rc;
    bufferevent_setcb(bev, rawRead, rawWriteMore, rawEvent, rc);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* Start the scripted server with `answers`; target i points at it. */
static struct upstream_target *scriptedTarget(int i,
                                              const struct scripted *answers)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!fx.raw.listener)
        fx.raw.listener = evconnlistener_new_bind(
            fx.base, onRawAccept, NULL,
            LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
            (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(fx.raw.listener);
    fx.raw.answers = answers;
    return targetUrl(i, "http://127.0.0.1:%d/raw",
                     boundPort(evconnlistener_get_fd(fx.raw.listener)));
}

/* Answers as servers write them, each read whole however it arrives. */
static const struct {
    struct scripted answer;
    enum upstream_outcome outcome;
    long status;
    const char *body;           /* or what the message holds */
} wireCases[] = {
    {{"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5"
      "\r\n\r\n<a/>\n", 3, 0}, UPSTREAM_OK, 200, "<a/>\n"},
    {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\n<a>\r\nA\r\n0123456789\r\n4\r\n</a>\r\n0\r\n"
      "X-Trailer: yes\r\n\r\n", 5, 0}, UPSTREAM_OK, 200,
     "<a>0123456789</a>"},
    {{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal\r\n"
      "Content-Length: 5\r\n\r\nfault", 0, 0}, UPSTREAM_OK, 500, "fault"},
    {{"HTTP/1.0 200 OK\nContent-Type: text/xml\n\nuntil the end", 4, 1},
     UPSTREAM_OK, 200, "until the end"},
    {{"HTTP/1.1 204 No Content\r\n\r\n", 0, 0}, UPSTREAM_OK, 204, ""},
    {{"SSH-2.0-OpenSSH_9.2\r\n", 0, 1}, UPSTREAM_ERROR, 0, "not HTTP/1"},
    {{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 1},
     UPSTREAM_ERROR, 200, "middle of the answer"},
    {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0},
     UPSTREAM_ERROR, 200, "not hexadecimal"},
    {{"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0, 0},
     UPSTREAM_ERROR, 0, "Content-Length"},
    {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 0},
     UPSTREAM_ERROR, 0, "transfer coding"},
    {{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", 0, 0},
     UPSTREAM_ERROR, 0, "switched protocols"},
    {{"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 0, 0},
     UPSTREAM_TOO_LARGE, 200, "1000 bytes"},
};

START_TEST(answers_are_read_as_written)
{
    const struct scripted script[] = {wireCases[_i].answer};
    struct upstream_target *t = scriptedTarget(0, script);
    t->max_response_bytes = 1000;
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, wireCases[_i].outcome);
    ck_assert_int_eq(fx.results[0].status, wireCases[_i].status);
    if (wireCases[_i].outcome == UPSTREAM_OK) {
        ck_assert_str_eq(fx.results[0].body, wireCases[_i].body);
        ck_assert_uint_eq(fx.results[0].body_len,
                          strlen(wireCases[_i].body));
    } else {
        ck_assert_msg(strstr(fx.results[0].message, wireCases[_i].body),
                      "message: %s", fx.results[0].message);
    }
}
END_TEST

static const char okAnswer[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/* A kept-alive connection the server dropped as the request came: the
 * request goes once more, on a new connection. */
START_TEST(dropped_kept_alive_connection_is_tried_again)
{
    const struct scripted script[] = {
        {okAnswer, 0, 0},
        {NULL, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain", 0, 0},
    };
    struct upstream_target *t = scriptedTarget(0, script);
    startOn(0, t, "first", NULL, onDone);
    waitFor(1);
    startOn(1, t, "second", NULL, onDone);
    waitFor(2);
    assertOutcome(1, UPSTREAM_OK);
    ck_assert_str_eq(fx.results[1].body, "again");
    ck_assert_int_eq(fx.results[1].reused, 0);
    ck_assert_int_eq(fx.raw.requests, 3);
    ck_assert_int_eq(fx.raw.connections, 2);
}
END_TEST

/* Dropped twice: once is all it is tried again. */
START_TEST(dropped_twice_is_unavailable)
{
    const struct scripted script[] = {
        {okAnswer, 0, 0}, {okAnswer, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0},
    };
    struct upstream_target *t = scriptedTarget(0, script);
    /* Two connections, each kept alive after one answer. */
    startOn(0, t, "a", NULL, onDone);
    startOn(1, t, "b", NULL, onDone);
    waitFor(2);
    startOn(2, t, "c", NULL, onDone);
    waitFor(3);
    assertOutcome(2, UPSTREAM_UNAVAILABLE);
    ck_assert_int_eq(fx.raw.requests, 4);
}
END_TEST

/* "Connection: close", or an answer that ends with the connection: the
 * next call opens a new one. */
START_TEST(closing_answer_is_not_reused)
{
    const struct scripted script[] = {
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n"
         "ok", 0, 1},
        {"HTTP/1.0 200 OK\r\n\r\nbye", 0, 1},
        {okAnswer, 0, 0},
    };
    struct upstream_target *t = scriptedTarget(0, script);
    for (int i = 0; i < 3; i++) {
        startOn(i, t, "x", NULL, onDone);
        waitFor(i + 1);
        assertOutcome(i, UPSTREAM_OK);
        ck_assert_int_eq(fx.results[i].reused, 0);
    }
    ck_assert_str_eq(fx.results[1].body, "bye");
    ck_assert_int_eq(fx.raw.connections, 3);
}
END_TEST

/* localhost is looked up (it may name ::1 first, where nothing listens:
 * the next address is tried). */
START_TEST(host_name_is_resolved)
{
    struct upstream_target *t =
        targetUrl(0, "http://localhost:%d/echo", fx.port);
    startOn(0, t, "by name", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.results[0].body, "by name");
}
END_TEST

/* With http_proxy set when the pool is made, http:// calls go through
 * libcurl, which sends them to the proxy (here the test server). */
START_TEST(proxy_in_environment_is_used)
{
    struct sb_error err;
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", fx.port);
    setenv("http_proxy", proxy, 1);
    upstream_pool_free(fx.pool);
    error_clear(&err);
    ck_assert_ptr_nonnull(fx.pool = upstream_pool_new(fx.base, 8, 8, &err));
    struct upstream_target *t =
        targetUrl(0, "http://soapbridge-test.invalid/echo");
    startOn(0, t, "via the proxy", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.seen.uri, "http://soapbridge-test.invalid/echo");
    ck_assert_str_eq(fx.seen.body, "via the proxy");
}
END_TEST

/* The pool may go while a name is still being looked up. */
START_TEST(free_pool_while_resolving)
{
    struct upstream_target *t =
        targetUrl(0, "http://soapbridge-test.invalid:%d/echo", fx.port);
    start(1, "/echo", "x");
    startOn(0, t, "x", NULL, onDone);
    upstream_pool_free(fx.pool);
    fx.pool = NULL;
    event_base_loop(fx.base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(fx.results[0].calls + fx.results[1].calls, 0);
}
END_TEST

START_TEST(answer_over_limit_is_too_large)
{
    /* _i = 0: declared by Content-Length; 1: chunked, found while read */
    const char *path = _i == 0 ? "/big" : "/chunked";
    struct upstream_target *t = target(0, path);
    t->max_response_bytes = 1000;
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TOO_LARGE);
    ck_assert_ptr_nonnull(strstr(fx.results[0].message, "1000"));
    ck_assert_uint_le(fx.results[0].body_len, 1000);
}
END_TEST

START_TEST(answer_at_limit_is_ok)
{
    const char *path = _i == 0 ? "/big" : "/chunked";
    struct upstream_target *t = target(0, path);
    t->max_response_bytes = BIG_BYTES;
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_uint_eq(fx.results[0].body_len, BIG_BYTES);
}
END_TEST

static void startTlsServer(int require_client_cert);
static struct upstream_target *tlsTarget(int i, const char *path);

/* Target i: /echo over plain HTTP (plainhttp), or over HTTPS (libcurl). */
static struct upstream_target *echoTarget(int i, int tls)
{
    if (!tls)
        return target(i, "/echo");
    if (!fx.tls.http)
        startTlsServer(0);
    struct upstream_target *t = tlsTarget(i, "/echo");
    t->insecure = 1;
    return t;
}

/* Call 0: a POST to /echo with Basic credentials user:pass. */
static void callWithBasicAuth(int tls)
{
    struct upstream_target *t = echoTarget(0, tls);
    t->auth = UPSTREAM_AUTH_BASIC;
    t->username = "user";
    t->password = "pass";
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.seen.authorization, "Basic dXNlcjpwYXNz");
}

START_TEST(basic_auth_sends_authorization)
{
    callWithBasicAuth(_i);
}
END_TEST

/* The second call runs on the first one's connection (and, with
 * libcurl, on its easy handle, reset): nothing of the first call's
 * options (credentials, body) may stay. */
START_TEST(reused_handle_forgets_the_last_call)
{
    callWithBasicAuth(_i);
    startOn(1, echoTarget(1, _i), NULL, NULL, onDone);
    waitFor(2);
    assertOutcome(1, UPSTREAM_OK);
    ck_assert_int_eq(fx.results[1].reused, 1);
    ck_assert_str_eq(fx.seen.authorization, "");
    ck_assert_str_eq(fx.seen.method, "GET");
    ck_assert_uint_eq(fx.seen.body_len, 0);
}
END_TEST

START_TEST(tls_to_plain_server_is_tls_error)
{
    struct upstream_target *t =
        targetUrl(0, "https://127.0.0.1:%d/echo", fx.port);
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TLS);
}
END_TEST

START_TEST(unreadable_ca_file_is_tls_error)
{
    char path[PATH_MAX];
    struct upstream_target *t =
        targetUrl(0, "https://127.0.0.1:%d/echo", fx.port);
    t->ca_file = test_path(path, sizeof(path), "tests/data/no-such-ca.pem");
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TLS);
}
END_TEST

START_TEST(other_protocols_are_refused)
{
    struct upstream_target *t = targetUrl(0, "ftp://127.0.0.1:%d/", fx.port);
    startOn(0, t, "<Envelope/>", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_ERROR);
    ck_assert_str_ne(fx.results[0].message, "");
    ck_assert_int_eq(fx.requests, 0);
}
END_TEST

START_TEST(start_without_url_fails_at_once)
{
    struct upstream_target t = {0};
    struct upstream_request req = {.target = &t, .body = "x", .body_len = 1};
    struct sb_error err;
    error_clear(&err);
    ck_assert_ptr_null(upstream_call_start(fx.pool, &req, onDone,
                                           &fx.results[0], &err));
    ck_assert_str_eq(err.code, "internal");
    struct upstream_pool_stats st;
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.in_flight, 0);
}
END_TEST

START_TEST(cancel_before_loop_means_no_callback)
{
    upstream_call_cancel(start(0, "/echo", "cancelled"));
    start(1, "/echo", "kept");
    waitFor(1);
    ck_assert_int_eq(fx.results[0].calls, 0);
    assertOutcome(1, UPSTREAM_OK);
    ck_assert_int_eq(fx.requests, 1);
    ck_assert_str_eq(fx.seen.body, "kept");
}
END_TEST

/* Run by the server when the /hang request of call 0 has arrived: the
 * call is running on the client side. */
static void cancelHanging(void)
{
    upstream_call_cancel(fx.results[0].handle);
    fx.results[0].handle = NULL;
    start(1, "/echo", "after");
}

START_TEST(cancel_while_running_means_no_callback)
{
    fx.on_hang = cancelHanging;
    start(0, "/hang", "<Envelope/>");
    waitFor(1);
    ck_assert_int_eq(fx.results[0].calls, 0);
    assertOutcome(1, UPSTREAM_OK);
    struct upstream_pool_stats st;
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.in_flight, 0);
    ck_assert_uint_eq(st.calls_completed, 1);
}
END_TEST

/* The first of two calls answered together cancels the other, which is
 * then finished but not yet delivered (or still running): either way
 * its callback must not run. */
static void cancelOther(const struct upstream_response *res, void *arg)
{
    struct result *r = arg;
    struct result *other = r == &fx.results[0] ? &fx.results[1]
                                               : &fx.results[0];
    upstream_call_cancel(other->handle);
    other->handle = NULL;
    onDone(res, arg);
    event_base_loopbreak(fx.base);
}

START_TEST(callback_may_cancel_another_call)
{
    startOn(0, target(0, "/pair"), "a", NULL, cancelOther);
    startOn(1, target(1, "/pair"), "b", NULL, cancelOther);
    waitFor(1);
    ck_assert_int_eq(fx.results[0].calls + fx.results[1].calls, 1);
    /* Nothing further arrives for the cancelled one. */
    start(2, "/echo", "more");
    waitFor(2);
    ck_assert_int_eq(fx.results[0].calls + fx.results[1].calls, 1);
    struct upstream_pool_stats st;
    upstream_pool_stats(fx.pool, &st);
    ck_assert_uint_eq(st.in_flight, 0);
}
END_TEST

START_TEST(free_pool_with_calls_in_flight)
{
    for (int i = 0; i < 3; i++)
        start(i, "/hang", "<Envelope/>");
    start(3, "/echo", "never started on the wire");
    upstream_call_cancel(fx.results[3].handle);
    waitForHanging(3);
    upstream_pool_free(fx.pool);
    fx.pool = NULL;
    /* The loop runs on without the pool: the server sees the close. */
    event_base_loop(fx.base, EVLOOP_NONBLOCK);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(fx.results[i].calls, 0);
}
END_TEST

START_TEST(free_pool_right_after_start)
{
    for (int i = 0; i < 5; i++)
        start(i, "/echo", "x");
    upstream_pool_free(fx.pool);
    fx.pool = NULL;
    event_base_loop(fx.base, EVLOOP_NONBLOCK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(fx.results[i].calls, 0);
}
END_TEST

static void freePoolInCallback(const struct upstream_response *res, void *arg)
{
    onDone(res, arg);
    upstream_pool_free(fx.pool);
    fx.pool = NULL;
    event_base_loopbreak(fx.base);
}

START_TEST(callback_may_free_the_pool)
{
    start(0, "/hang", "<Envelope/>");
    start(1, "/hang", "<Envelope/>");
    startOn(2, target(2, "/echo"), "x", NULL, freePoolInCallback);
    waitFor(1);
    assertOutcome(2, UPSTREAM_OK);
    ck_assert_ptr_null(fx.pool);
    ck_assert_int_eq(fx.results[0].calls, 0);
    ck_assert_int_eq(fx.results[1].calls, 0);
    /* Let the server see the closed connections. */
    event_base_loop(fx.base, EVLOOP_NONBLOCK);
}
END_TEST

/* ---- TLS: a self-signed certificate for 127.0.0.1, made per test ---- */

static void writeCertificate(void)
{
    EVP_PKEY *key;
    X509 *x;
    test_certificate(&x, &key);
    FILE *f = fopen(fx.tls.cert, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, x), 1);
    fclose(f);
    ck_assert_ptr_nonnull(f = fopen(fx.tls.key, "w"));
    ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL),
                     1);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
}

static struct bufferevent *onTlsConnection(struct event_base *base, void *arg)
{
    (void)arg;
    fx.connections++;
    return bufferevent_openssl_socket_new(base, -1, SSL_new(fx.tls.ctx),
                                          BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
}

/* An HTTPS server on the loop with the test certificate; with
 * require_client_cert it also wants a client certificate signed by
 * (here: equal to) that certificate. */
static void startTlsServer(int require_client_cert)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fx.tls.dir, sizeof(fx.tls.dir), "%s/upstream-tls-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(fx.tls.dir));
    snprintf(fx.tls.cert, sizeof(fx.tls.cert), "%s/cert.pem", fx.tls.dir);
    snprintf(fx.tls.key, sizeof(fx.tls.key), "%s/key.pem", fx.tls.dir);
    writeCertificate();
    ck_assert_ptr_nonnull(fx.tls.ctx = SSL_CTX_new(TLS_server_method()));
    ck_assert_int_eq(SSL_CTX_use_certificate_file(fx.tls.ctx, fx.tls.cert,
                                                  SSL_FILETYPE_PEM), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(fx.tls.ctx, fx.tls.key,
                                                 SSL_FILETYPE_PEM), 1);
    if (require_client_cert) {
        ck_assert_int_eq(SSL_CTX_load_verify_locations(fx.tls.ctx,
                                                       fx.tls.cert, NULL), 1);
        SSL_CTX_set_verify(fx.tls.ctx,
                           SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                           NULL);
    }
    ck_assert_ptr_nonnull(fx.tls.http = evhttp_new(fx.base));
    evhttp_set_gencb(fx.tls.http, onRequest, NULL);
    evhttp_set_bevcb(fx.tls.http, onTlsConnection, NULL);
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(fx.tls.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(bound);
    fx.tls.port = boundPort(evhttp_bound_socket_get_fd(bound));
}

static struct upstream_target *tlsTarget(int i, const char *path)
{
    struct upstream_target *t = target(i, path);
    snprintf(fx.urls[i], sizeof(fx.urls[i]), "https://127.0.0.1:%d%s",
             fx.tls.port, path);
    return t;
}

START_TEST(tls_server_verified_with_ca_file)
{
    startTlsServer(0);
    struct upstream_target *t = tlsTarget(0, "/echo");
    t->ca_file = fx.tls.cert;
    startOn(0, t, "over tls", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.results[0].body, "over tls");
    /* The TLS connection is kept and reused too. */
    startOn(1, t, "again", NULL, onDone);
    waitFor(2);
    assertOutcome(1, UPSTREAM_OK);
    ck_assert_int_eq(fx.results[1].reused, 1);
    ck_assert_int_eq(fx.connections, 1);
}
END_TEST

START_TEST(tls_untrusted_server_is_tls_error)
{
    startTlsServer(0);
    struct upstream_target *t = tlsTarget(0, "/echo");
    t->ca_file = NULL;      /* the system's CAs do not know the test's */
    startOn(0, t, "x", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TLS);
    ck_assert_int_eq(fx.requests, 0);
}
END_TEST

START_TEST(tls_insecure_skips_verification)
{
    startTlsServer(0);
    struct upstream_target *t = tlsTarget(0, "/echo");
    t->insecure = 1;
    startOn(0, t, "x", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
}
END_TEST

START_TEST(mtls_sends_client_certificate)
{
    startTlsServer(1);
    struct upstream_target *t = tlsTarget(0, "/echo");
    t->ca_file = fx.tls.cert;
    t->cert_file = fx.tls.cert;
    t->key_file = fx.tls.key;
    startOn(0, t, "with cert", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_str_eq(fx.results[0].body, "with cert");
}
END_TEST

START_TEST(mtls_without_client_certificate_is_tls_error)
{
    startTlsServer(1);
    struct upstream_target *t = tlsTarget(0, "/echo");
    t->ca_file = fx.tls.cert;
    startOn(0, t, "x", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_TLS);
    ck_assert_int_eq(fx.requests, 0);
}
END_TEST

START_TEST(ntlm_starts_the_handshake)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    struct upstream_target *t = target(0, "/echo");
    struct sb_error err;
    t->auth = UPSTREAM_AUTH_NTLM;
    t->username = "DOMAIN\\user";
    t->password = "pass";
    if (!(info->features & CURL_VERSION_NTLM)) {
        struct upstream_request req = {.target = t, .body = "x", .body_len = 1};
        ck_assert_ptr_null(upstream_call_start(fx.pool, &req, onDone,
                                               &fx.results[0], &err));
        return;
    }
    /* curl opens with an NTLM type-1 message and an empty body; the
     * server answers it without a challenge, so curl sends the body
     * again without authentication. What matters is that it spoke NTLM
     * and that the body arrived. */
    startOn(0, t, "body", NULL, onDone);
    waitFor(1);
    assertOutcome(0, UPSTREAM_OK);
    ck_assert_int_eq(strncmp(fx.seen.first_authorization, "NTLM ", 5), 0);
    ck_assert_str_eq(fx.seen.body, "body");
    ck_assert_str_eq(fx.results[0].body, "body");
}
END_TEST

START_TEST(outcome_names)
{
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_OK), "ok");
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_UNAVAILABLE),
                     "unavailable");
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_TIMEOUT), "timeout");
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_TOO_LARGE), "too_large");
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_TLS), "tls");
    ck_assert_str_eq(upstream_outcome_name(UPSTREAM_ERROR), "error");
    ck_assert_str_eq(upstream_outcome_name((enum upstream_outcome)99), "error");
    struct upstream_pool_stats st = {1, 2, 3};
    upstream_pool_stats(NULL, &st);
    ck_assert_uint_eq(st.in_flight + st.connections_opened +
                      st.calls_completed, 0);
    upstream_pool_free(NULL);
    upstream_call_cancel(NULL);
}
END_TEST

Suite *upstream_suite(void)
{
    Suite *s = suite_create("upstream");
    TCase *tc = tcase_create("upstream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, post_reaches_server_and_answer_returns);
    tcase_add_test(tc, no_body_is_a_get);
    tcase_add_test(tc, large_post_sends_no_expect_continue);
    tcase_add_test(tc, http_500_with_fault_is_ok);
    tcase_add_test(tc, redirect_is_not_followed);
    tcase_add_test(tc, sequential_calls_reuse_one_connection);
    tcase_add_test(tc, pool_size_caps_connections_per_host);
    tcase_add_test(tc, many_concurrent_calls_complete);
    tcase_add_test(tc, no_answer_times_out);
    tcase_add_test(tc, queued_calls_keep_their_own_timeout);
    tcase_add_test(tc, refused_connection_is_unavailable);
    tcase_add_test(tc, closed_before_answer_is_unavailable);
    tcase_add_loop_test(tc, answers_are_read_as_written, 0,
                        (int)(sizeof(wireCases) / sizeof(wireCases[0])));
    tcase_add_test(tc, dropped_kept_alive_connection_is_tried_again);
    tcase_add_test(tc, dropped_twice_is_unavailable);
    tcase_add_test(tc, closing_answer_is_not_reused);
    tcase_add_test(tc, host_name_is_resolved);
    tcase_add_test(tc, free_pool_while_resolving);
    tcase_add_test(tc, proxy_in_environment_is_used);
    tcase_add_loop_test(tc, answer_over_limit_is_too_large, 0, 2);
    tcase_add_loop_test(tc, answer_at_limit_is_ok, 0, 2);
    tcase_add_loop_test(tc, basic_auth_sends_authorization, 0, 2);
    tcase_add_loop_test(tc, reused_handle_forgets_the_last_call, 0, 2);
    tcase_add_test(tc, tls_to_plain_server_is_tls_error);
    tcase_add_test(tc, unreadable_ca_file_is_tls_error);
    tcase_add_test(tc, tls_server_verified_with_ca_file);
    tcase_add_test(tc, tls_untrusted_server_is_tls_error);
    tcase_add_test(tc, tls_insecure_skips_verification);
    tcase_add_test(tc, mtls_sends_client_certificate);
    tcase_add_test(tc, mtls_without_client_certificate_is_tls_error);
    tcase_add_test(tc, ntlm_starts_the_handshake);
    tcase_add_test(tc, other_protocols_are_refused);
    tcase_add_test(tc, start_without_url_fails_at_once);
    tcase_add_test(tc, cancel_before_loop_means_no_callback);
    tcase_add_test(tc, cancel_while_running_means_no_callback);
    tcase_add_test(tc, callback_may_cancel_another_call);
    tcase_add_test(tc, free_pool_with_calls_in_flight);
    tcase_add_test(tc, free_pool_right_after_start);
    tcase_add_test(tc, callback_may_free_the_pool);
    tcase_add_test(tc, outcome_names);
    suite_add_tcase(s, tc);
    return s;
}
