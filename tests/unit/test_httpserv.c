/*
 * Unit tests of httpserv, the server side of client connections.
 *
 * Each test serves a listening socket on 127.0.0.1 (a port the kernel
 * picks) on a loop of its own, and talks to it through a client socket
 * on the same loop: the test writes bytes as a client would, then runs
 * the loop until the client has what it waits for (replies, or the
 * close). Waiting for the event is the synchronisation; nothing sleeps.
 *
 * A TLS test does the same through a TLS client on the loop.
 *
 * The handler answers every request with a description of it (method,
 * target, the X-Test header, the body, the problem), at once or, when a
 * test holds requests, when the test says so.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "httpserv.h"
#include "suites.h"
#include "testutil.h"

#define MAX_BODY 1000
#define MAX_HEAD 2048
#define GOT_MAX (4 << 20)
#define BIG_REPLY (2 << 20)
#define WATCHDOG_SECONDS 20     /* a broken test fails instead of hanging */

static struct {
    struct event_base *base;
    struct httpserv *hs;
    int port;
    struct httpserv *other;             /* the group test's second member */
    struct httpserv_group *group;
    /* the handler */
    int hold;                           /* keep requests for the test */
    struct httpserv_request *held[8];
    size_t n_held;
    int handled;
    int closed_calls;                   /* close callbacks */
    int reply_in_close;                 /* the close callback replies */
    size_t big;                         /* reply with this many bytes */
    size_t max_conns;                   /* the server's, when not 16 */
    char seen[8][512];                  /* what each request was */
    /* the client */
    SSL_CTX *server_tls, *client_tls;   /* TLS tests */
    int fd;
    struct event *readable;             /* plain */
    struct bufferevent *tls;            /* TLS */
    char *got;
    size_t len;
    int eof;
    int timed_out;
} fx;

/* ---- the handler ---- */

static void describe(struct httpserv_request *req, char *out, size_t size)
{
    const char *message = NULL;
    const char *problem = httpserv_problem(req, &message);
    const char *test = httpserv_header(req, "x-test");
    size_t len;
    const char *body = httpserv_body(req, &len);
    snprintf(out, size, "%s %s|%s|%zu:%s|%s%s%s", httpserv_method(req),
             httpserv_target(req), test ? test : "-", len, body,
             problem ? problem : "ok", problem ? ": " : "",
             problem ? message : "");
}

static void answer(struct httpserv_request *req)
{
    char text[512];
    describe(req, text, sizeof(text));
    httpserv_add_header(req, "Content-Type", "text/plain");
    if (fx.big) {
        char *big = malloc(fx.big);
        ck_assert_ptr_nonnull(big);
        memset(big, 'b', fx.big);
        httpserv_reply(req, 200, big, fx.big);
        free(big);
        return;
    }
    httpserv_reply(req, httpserv_problem(req, NULL) ? 400 : 200, text,
                   strlen(text));
}

static void onClose(void *arg)
{
    fx.closed_calls++;
    if (fx.reply_in_close)
        answer(arg);
}

static void handle(struct httpserv_request *req, void *arg)
{
    (void)arg;
    if (fx.handled < 8)
        describe(req, fx.seen[fx.handled], sizeof(fx.seen[0]));
    fx.handled++;
    if (fx.hold) {
        ck_assert_int_lt(fx.n_held, 8);
        fx.held[fx.n_held++] = req;
        httpserv_on_close(req, onClose, req);
        return;
    }
    answer(req);
}

/* Answer the oldest request held. */
static void answerHeld(void)
{
    ck_assert_int_gt(fx.n_held, 0);
    struct httpserv_request *req = fx.held[0];
    memmove(fx.held, fx.held + 1, --fx.n_held * sizeof(fx.held[0]));
    answer(req);
}

/* ---- the client ---- */

static void onClientReadable(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    (void)arg;
    ssize_t n = recv(fd, fx.got + fx.len, GOT_MAX - fx.len, 0);
    if (n > 0) {
        fx.len += (size_t)n;
        fx.got[fx.len] = '\0';
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        fx.eof = 1;
        event_del(fx.readable);
    }
}

static void onTlsClientRead(struct bufferevent *bev, void *arg)
{
    struct evbuffer *input = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(input);
    (void)arg;
    ck_assert_uint_le(fx.len + n, GOT_MAX);
    evbuffer_remove(input, fx.got + fx.len, n);
    fx.len += n;
    fx.got[fx.len] = '\0';
}

static void onTlsClientEvent(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        fx.eof = 1;
}

/* Connect the client; unless queued (the server is not accepting), let
 * the server accept it. */
static void connectClient(int queued)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)fx.port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    fx.fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fx.fd, 0);
    ck_assert_int_eq(connect(fx.fd, (struct sockaddr *)&sin, sizeof(sin)),
                     0);
    fcntl(fx.fd, F_SETFL, O_NONBLOCK);
    fx.len = 0;
    fx.got[0] = '\0';
    fx.eof = 0;
    if (fx.client_tls) {
        fx.tls = bufferevent_openssl_socket_new(
            fx.base, fx.fd, SSL_new(fx.client_tls), BUFFEREVENT_SSL_CONNECTING,
            BEV_OPT_CLOSE_ON_FREE);
        ck_assert_ptr_nonnull(fx.tls);
        fx.fd = -1;
        bufferevent_setcb(fx.tls, onTlsClientRead, NULL, onTlsClientEvent,
                          NULL);
        bufferevent_enable(fx.tls, EV_READ);
        return;
    }
    fx.readable = event_new(fx.base, fx.fd, EV_READ | EV_PERSIST,
                            onClientReadable, NULL);
    event_add(fx.readable, NULL);
    if (!queued)
        event_base_loop(fx.base, EVLOOP_ONCE);
}

static void closeClient(void)
{
    if (fx.readable)
        event_free(fx.readable);
    fx.readable = NULL;
    if (fx.tls)
        bufferevent_free(fx.tls);
    fx.tls = NULL;
    if (fx.fd >= 0)
        close(fx.fd);
    fx.fd = -1;
}

/* Write bytes as the client, then let the server read them (TLS: the
 * loop takes them on when a test waits). */
static void feed(const char *bytes, size_t len)
{
    if (fx.tls) {
        ck_assert_int_eq(bufferevent_write(fx.tls, bytes, len), 0);
        return;
    }
    ck_assert_int_eq(send(fx.fd, bytes, len, 0), (ssize_t)len);
    event_base_loop(fx.base, EVLOOP_ONCE);
}

static void feedText(const char *text)
{
    feed(text, strlen(text));
}

/* How many whole replies the client has, interim ones (1xx) counted. */
static int repliesGot(void)
{
    int n = 0;
    const char *p = fx.got, *end = fx.got + fx.len;
    for (;;) {
        const char *head_end = strstr(p, "\r\n\r\n");
        if (!head_end)
            return n;
        size_t body = 0;
        const char *cl = strstr(p, "Content-Length: ");
        if (cl && cl < head_end)
            body = strtoul(cl + 16, NULL, 10);
        if ((size_t)(end - (head_end + 4)) < body)
            return n;
        n++;
        p = head_end + 4 + body;
    }
}

static void onWatchdog(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fx.timed_out = 1;
    event_base_loopbreak(fx.base);
}

static int wanted;

static int haveReplies(void)
{
    return repliesGot() >= wanted || fx.eof;
}

static int haveClose(void)
{
    return fx.eof;
}

static int handledOne(void)
{
    return fx.handled >= 1;
}

static int heardClose(void)
{
    return fx.closed_calls > 0;
}

/* Run the loop until done() holds. */
static void runUntil(int (*done)(void))
{
    struct timeval guard = {WATCHDOG_SECONDS, 0};
    struct event *watchdog = evtimer_new(fx.base, onWatchdog, NULL);
    evtimer_add(watchdog, &guard);
    while (!fx.timed_out && !done())
        event_base_loop(fx.base, EVLOOP_ONCE);
    event_free(watchdog);
    ck_assert_msg(!fx.timed_out, "waited in vain; the client got: %s",
                  fx.got);
}

/* Run the loop until the client has n replies (or the close, n < 0). */
static void waitFor(int n)
{
    wanted = n;
    runUntil(n < 0 ? haveClose : haveReplies);
}

/* The reply text with its Date header cut out (it changes). */
static const char *withoutDate(void)
{
    static char text[8192];
    snprintf(text, sizeof(text), "%s", fx.got);
    char *date;
    while ((date = strstr(text, "Date: ")) != NULL) {
        char *eol = strstr(date, "\r\n");
        memmove(date, eol + 2, strlen(eol + 2) + 1);
    }
    return text;
}

/* ---- the fixture ---- */

/* A server on a new listening socket of 127.0.0.1; *port its port. */
static struct httpserv *newServer(int idle_ms, int *port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    *port = ntohs(sin.sin_port);
    struct httpserv_limits limits = {MAX_BODY, MAX_HEAD, idle_ms,
                                     fx.max_conns ? fx.max_conns : 16};
    struct httpserv *hs = httpserv_new(fx.base, fd, fx.server_tls, &limits,
                                       handle, NULL);
    ck_assert_ptr_nonnull(hs);
    return hs;
}

/* Serve a new listening socket (replacing the last server and client),
 * and connect the client. */
static void serve(int idle_ms)
{
    closeClient();
    httpserv_free(fx.hs);
    fx.hs = newServer(idle_ms, &fx.port);
    connectClient(0);
}

static void setup(void)
{
    memset(&fx, 0, sizeof(fx));
    fx.fd = -1;
    fx.base = event_base_new();
    fx.got = malloc(GOT_MAX + 1);
    serve(60000);
}

static void teardown(void)
{
    closeClient();
    httpserv_free(fx.hs);
    httpserv_free(fx.other);
    httpserv_group_free(fx.group);
    event_base_free(fx.base);
    free(fx.got);
    SSL_CTX_free(fx.server_tls);
    SSL_CTX_free(fx.client_tls);
}

/* ---- tests ---- */

START_TEST(keep_alive_serves_requests_in_turn)
{
    feedText("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Test: one\r\n\r\n");
    waitFor(1);
    ck_assert_str_eq(withoutDate(),
                     "HTTP/1.1 200 OK\r\n"
                     "Content-Type: text/plain\r\n"
                     "Content-Length: 20\r\n"
                     "\r\n"
                     "GET /a?b=1|one|0:|ok");
    ck_assert_ptr_nonnull(strstr(fx.got, " GMT\r\n"));
    feedText("POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    waitFor(2);
    ck_assert_int_eq(fx.handled, 2);
    ck_assert_str_eq(fx.seen[1], "POST /b|-|5:hello|ok");
    ck_assert_int_eq(fx.eof, 0);
}
END_TEST

START_TEST(request_in_pieces_is_whole)
{
    static const char wire[] = "\r\nPUT /p HTTP/1.1\r\nx-test:  spaced  \r\n"
                               "Content-Length: 11\r\n\r\nhello world";
    for (size_t i = 0; i < sizeof(wire) - 1; i++)
        feed(wire + i, 1);
    waitFor(1);
    ck_assert_int_eq(fx.handled, 1);
    ck_assert_str_eq(fx.seen[0], "PUT /p|spaced|11:hello world|ok");
}
END_TEST

START_TEST(chunked_body_is_decoded)
{
    feedText("POST /c HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
             "5;ext=1\r\nhello\r\n");
    ck_assert_int_eq(fx.handled, 0);
    feedText("1\r\n \r\n5\r\nwor");
    feedText("ld\r\n0\r\nTrailer: yes\r\n\r\n"
             "GET /next HTTP/1.1\r\n\r\n");
    waitFor(2);
    ck_assert_str_eq(fx.seen[0], "POST /c|-|11:hello world|ok");
    ck_assert_str_eq(fx.seen[1], "GET /next|-|0:|ok");
}
END_TEST

START_TEST(pipelined_requests_wait_for_the_reply_before)
{
    fx.hold = 1;
    feedText("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
             "GET /3 HTTP/1.1\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(fx.handled, 1);
    answerHeld();
    ck_assert_int_eq(fx.handled, 2);
    ck_assert_str_eq(fx.seen[1], "GET /2|-|0:|ok");
    answerHeld();
    answerHeld();
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 3);
    ck_assert_int_eq(repliesGot(), 3);
    const char *one = strstr(fx.got, "GET /1|"), *two = strstr(fx.got, "GET /2|"),
               *three = strstr(fx.got, "GET /3|");
    ck_assert(one && two && three && one < two && two < three);
    ck_assert_ptr_nonnull(strstr(fx.got, "Connection: close\r\n"));
}
END_TEST

START_TEST(expect_continue_is_answered_before_the_body)
{
    feedText("POST /e HTTP/1.1\r\nExpect: 100-continue\r\n"
             "Content-Length: 4\r\n\r\n");
    waitFor(1);
    ck_assert_str_eq(fx.got, "HTTP/1.1 100 Continue\r\n\r\n");
    ck_assert_int_eq(fx.handled, 0);
    feedText("body");
    waitFor(2);
    ck_assert_str_eq(fx.seen[0], "POST /e|-|4:body|ok");
}
END_TEST

/* A body over the limit is not read: the handler hears of it at once,
 * the reply closes the connection, what the client still sends is read
 * and dropped so that the close does not reset the reply. */
START_TEST(body_over_the_limit_is_refused_unread)
{
    char head[128];
    snprintf(head, sizeof(head),
             "POST /big HTTP/1.1\r\nExpect: 100-continue\r\n"
             "Content-Length: %d\r\n\r\n", MAX_BODY + 1);
    feedText(head);
    waitFor(1);
    ck_assert_int_eq(fx.handled, 1);
    ck_assert_str_eq(fx.seen[0], "POST /big|-|0:|body_too_large: ");
    ck_assert_ptr_null(strstr(fx.got, "100 Continue"));
    ck_assert_ptr_nonnull(strstr(fx.got, "Connection: close\r\n"));
    char body[MAX_BODY + 1];
    memset(body, 'x', sizeof(body));
    send(fx.fd, body, sizeof(body), 0);
    shutdown(fx.fd, SHUT_WR);
    waitFor(-1);
    ck_assert_int_eq(repliesGot(), 1);
}
END_TEST

START_TEST(chunked_body_over_the_limit_is_refused)
{
    char wire[2 * MAX_BODY];
    feedText("POST /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "1f5\r\n");
    memset(wire, 'z', 501);     /* the first chunk, 501 bytes */
    snprintf(wire + 501, 32, "\r\n%x\r\n", MAX_BODY - 500);
    feed(wire, 501);
    ck_assert_int_eq(fx.handled, 0);
    feedText(wire + 501);       /* a second chunk one byte too many */
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 1);
    ck_assert_str_eq(fx.seen[0], "POST /big|-|0:|body_too_large: ");
}
END_TEST

static const struct {
    const char *wire;
    const char *seen;
} refusals[] = {
    {"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
     "GET /|-|0:|bad_request: the header line 'Bad Header' is not NAME: "
     "VALUE"},
    {"GET / HTTP/1.1\r\nName : v\r\n\r\n",
     "GET /|-|0:|bad_request: the header line 'Name : v' is not NAME: "
     "VALUE"},
    {"GET / HTTP/1.1\r\nX-Test: a\r\n b\r\n\r\n",
     "GET /|a|0:|bad_request: a header line starts with white space "
     "(obsolete line folding)"},
    {"GET / HTTP/1.1\r\nX-Test: a\001b\r\n\r\n",
     "GET /|-|0:|bad_request: the header X-Test holds a control "
     "character"},
    {"GET /\r\n\r\n",
     " |-|0:|bad_request: the request line is not METHOD TARGET HTTP/1.1"},
    {"GET / HTTX/1.1\r\n\r\n",
     "GET /|-|0:|bad_request: the request line does not end in HTTP/1.1 "
     "or HTTP/1.0"},
    {"GET / HTTP/2.0\r\n\r\n",
     "GET /|-|0:|http_version_not_supported: HTTP/2.0 is not supported: "
     "use HTTP/1.1"},
    {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
     "POST /|-|0:|bad_request: Content-Length '1x' is not a number"},
    {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
     "POST /|-|0:|bad_request: two different Content-Length headers"},
    {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
     "POST /|-|0:|not_implemented: the transfer coding 'gzip' is not "
     "supported (only chunked)"},
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3"
     "\r\n\r\n",
     "POST /|-|0:|bad_request: both Content-Length and Transfer-Encoding"},
    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
     "POST /|-|0:|bad_request: chunked coding in an HTTP/1.0 request"},
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     "POST /|-|0:|bad_request: the chunk size 'zz' is not hexadecimal"},
    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
     "POST /|-|0:|bad_request: a chunk is longer than its size"},
    {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
     "POST /|-|0:|body_too_large: "},
};

/* A request the server cannot take reaches the handler with what is
 * wrong, and the connection closes after the reply. */
START_TEST(malformed_requests_are_refused)
{
    feedText(refusals[_i].wire);
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 1);
    /* method and target are empty when the request line was not read */
    ck_assert_str_eq(fx.seen[0], refusals[_i].seen);
    ck_assert_int_eq(repliesGot(), 1);
    ck_assert_ptr_nonnull(strstr(fx.got, "HTTP/1.1 400 Bad Request\r\n"));
    ck_assert_ptr_nonnull(strstr(fx.got, "Connection: close\r\n"));
}
END_TEST

START_TEST(head_over_the_limit_is_refused)
{
    char line[MAX_HEAD + 64];
    feedText("GET / HTTP/1.1\r\n");
    memset(line, 'a', sizeof(line));
    memcpy(line, "X-Long: ", 8);
    memcpy(line + sizeof(line) - 2, "\r\n", 2);
    feed(line, sizeof(line));
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 1);
    ck_assert_str_eq(fx.seen[0], " |-|0:|header_too_large: the request line and "
                     "headers are larger than 2048 bytes");
}
END_TEST

START_TEST(too_many_headers_are_refused)
{
    char wire[MAX_HEAD];
    size_t len = (size_t)snprintf(wire, sizeof(wire), "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(wire + len, sizeof(wire) - len, "h%d: v\r\n",
                                i);
    snprintf(wire + len, sizeof(wire) - len, "\r\n");
    feedText(wire);
    waitFor(-1);
    ck_assert_str_eq(fx.seen[0], "GET /|-|0:|header_too_large: more than "
                                 "100 headers");
}
END_TEST

START_TEST(http10_closes_unless_kept_alive)
{
    feedText("GET /k HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    waitFor(1);
    ck_assert_ptr_nonnull(strstr(fx.got, "Connection: keep-alive\r\n"));
    feedText("GET /c HTTP/1.0\r\n\r\n");
    waitFor(-1);
    ck_assert_int_eq(repliesGot(), 2);
    ck_assert_ptr_nonnull(strstr(fx.got, "Connection: close\r\n"));
    ck_assert_str_eq(fx.seen[1], "GET /c|-|0:|ok");
}
END_TEST

START_TEST(connection_close_closes_after_the_reply)
{
    feedText("GET /x HTTP/1.1\r\nConnection: foo, close\r\n\r\n"
             "GET /never HTTP/1.1\r\n\r\n");
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 1);
    ck_assert_int_eq(repliesGot(), 1);
}
END_TEST

START_TEST(head_reply_has_no_body)
{
    feedText("HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n");
    waitFor(2);
    /* the GET's reply follows the HEAD's head at once */
    ck_assert_ptr_nonnull(strstr(withoutDate(),
                                 "Content-Length: 15\r\n\r\n"
                                 "HTTP/1.1 200 OK\r\n"));
    ck_assert_str_eq(fx.seen[0], "HEAD /h|-|0:|ok");
}
END_TEST

/* The client leaves while its request is with the handler: the close
 * callback runs once, and the later reply is dropped. */
START_TEST(client_gone_calls_the_close_callback)
{
    fx.hold = 1;
    feedText("GET /slow HTTP/1.1\r\n\r\n");
    ck_assert_int_eq(fx.handled, 1);
    closeClient();
    runUntil(heardClose);
    ck_assert_int_eq(fx.closed_calls, 1);
    answerHeld();
    ck_assert_int_eq(fx.closed_calls, 1);
}
END_TEST

START_TEST(reply_from_the_close_callback)
{
    fx.hold = 1;
    fx.reply_in_close = 1;
    feedText("GET /slow HTTP/1.1\r\n\r\n");
    closeClient();
    runUntil(heardClose);
    ck_assert_int_eq(fx.closed_calls, 1);
}
END_TEST

START_TEST(free_with_a_request_held)
{
    fx.hold = 1;
    fx.reply_in_close = 1;
    feedText("GET /slow HTTP/1.1\r\n\r\n");
    httpserv_free(fx.hs);
    fx.hs = NULL;
    ck_assert_int_eq(fx.closed_calls, 1);
}
END_TEST

START_TEST(large_reply_is_written_whole)
{
    fx.big = BIG_REPLY;
    feedText("GET /big HTTP/1.1\r\n\r\n");
    waitFor(1);
    const char *body = strstr(fx.got, "\r\n\r\n") + 4;
    ck_assert_uint_eq(fx.len - (size_t)(body - fx.got), BIG_REPLY);
    fx.big = 0;
    feedText("GET /after HTTP/1.1\r\n\r\n");
    waitFor(2);
    ck_assert_str_eq(fx.seen[1], "GET /after|-|0:|ok");
}
END_TEST

/* An idle connection is closed after idle_ms; one whose request the
 * handler holds is not. */
START_TEST(idle_connection_is_closed)
{
    serve(50);
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 0);
}
END_TEST

START_TEST(held_request_outlives_the_idle_timeout)
{
    serve(50);
    fx.hold = 1;
    feedText("GET /slow HTTP/1.1\r\n\r\n");
    struct timeval later = {0, 300000};
    event_base_loopexit(fx.base, &later);
    event_base_dispatch(fx.base);
    ck_assert_int_eq(fx.eof, 0);
    answerHeld();
    waitFor(1);
    ck_assert_ptr_nonnull(strstr(fx.got, "GET /slow|"));
}
END_TEST

static void sendText(int fd, const char *text)
{
    ck_assert_int_eq(send(fd, text, strlen(text), 0), (ssize_t)strlen(text));
}

/* With max_conns open, the next connection waits in the listen queue
 * (its request unread) until one closes. */
START_TEST(connections_over_the_cap_wait)
{
    fx.max_conns = 1;
    serve(60000);
    int first = fx.fd;
    struct event *first_readable = fx.readable;
    fx.fd = -1;
    fx.readable = NULL;
    connectClient(1);           /* queued by the kernel, not accepted */
    sendText(fx.fd, "GET /second HTTP/1.1\r\n\r\n");
    sendText(first, "GET /first HTTP/1.1\r\n\r\n");
    runUntil(handledOne);
    ck_assert_str_eq(fx.seen[0], "GET /first|-|0:|ok");
    event_free(first_readable);
    close(first);
    waitFor(1);
    ck_assert_int_eq(fx.handled, 2);
    ck_assert_str_eq(fx.seen[1], "GET /second|-|0:|ok");
}
END_TEST

static int served;

static int servedAll(void)
{
    return httpserv_connections(fx.hs) + httpserv_connections(fx.other) ==
           (size_t)served;
}

static int handledAll(void)
{
    return fx.handled == served - 1;
}

/* In a group, connections accepted by one member are shared out: ten
 * connections to the first member's socket (nothing connects to the
 * second's), five each; each handed connection is served, and the count
 * follows the closes. */
START_TEST(group_shares_connections_out)
{
    int unused, fds[9];
    fx.other = newServer(60000, &unused);
    fx.group = httpserv_group_new(2);
    ck_assert_ptr_nonnull(fx.group);
    ck_assert_int_eq(httpserv_join(fx.hs, fx.group, 0), 0);  /* holds one */
    ck_assert_int_eq(httpserv_join(fx.other, fx.group, 1), 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)fx.port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 9; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&sin,
                                 sizeof(sin)), 0);
        served = i + 2;
        runUntil(servedAll);    /* accepted, and handed if it is */
    }
    ck_assert_uint_eq(httpserv_connections(fx.hs), 5);
    ck_assert_uint_eq(httpserv_connections(fx.other), 5);
    for (int i = 0; i < 9; i++)
        sendText(fds[i], "GET /shared HTTP/1.1\r\n\r\n");
    served = 10;
    runUntil(handledAll);
    for (int i = 0; i < 9; i++) {
        char reply[64] = "";
        ck_assert_int_gt(recv(fds[i], reply, sizeof(reply) - 1, 0), 0);
        ck_assert_msg(strncmp(reply, "HTTP/1.1 200 ", 13) == 0, "%s", reply);
    }
    for (int i = 0; i < 9; i++)
        close(fds[i]);
    served = 1;
    runUntil(servedAll);        /* the closes seen by both members */
    ck_assert_uint_eq(httpserv_connections(fx.hs), 1);
    ck_assert_uint_eq(httpserv_connections(fx.other), 0);
}
END_TEST

static int drainedCalls;

static void onDrained(void *arg)
{
    ck_assert_ptr_eq(arg, &drainedCalls);
    drainedCalls++;
}

static int wasDrained(void)
{
    return drainedCalls > 0;
}

static int noConnections(void)
{
    return httpserv_connections(fx.hs) == 0;
}

static int handledTwo(void)
{
    return fx.handled >= 2;
}

/* Draining: the listening socket closes at once (a new connection is
 * refused), an idle keep-alive connection closes, a request being
 * handled gets its reply with Connection: close and then the close;
 * done is called once, when the last connection has gone. */
START_TEST(drain_finishes_what_came_and_takes_nothing_new)
{
    feedText("GET /first HTTP/1.1\r\n\r\n");
    waitFor(1);
    int idle = fx.fd;           /* kept alive, idle */
    event_free(fx.readable);
    fx.readable = NULL;
    fx.fd = -1;
    fx.hold = 1;
    connectClient(0);
    feedText("GET /held HTTP/1.1\r\n\r\n");
    runUntil(handledTwo);
    drainedCalls = 0;
    httpserv_drain(fx.hs, onDrained, &drainedCalls);
    httpserv_drain(fx.hs, onDrained, &drainedCalls);    /* no-op */
    ck_assert_int_eq(drainedCalls, 0);
    ck_assert_uint_eq(httpserv_connections(fx.hs), 1);
    struct pollfd p = {.fd = idle, .events = POLLIN};
    char byte;
    ck_assert_int_eq(poll(&p, 1, WATCHDOG_SECONDS * 1000), 1);
    ck_assert_int_eq(recv(idle, &byte, 1, 0), 0);   /* closed by the server */
    close(idle);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)fx.port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int late = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(late, (struct sockaddr *)&sin, sizeof(sin)), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    close(late);
    answerHeld();
    waitFor(-1);
    ck_assert_msg(strstr(fx.got, "HTTP/1.1 200 OK\r\n") &&
                      strstr(fx.got, "Connection: close\r\n"),
                  "%s", fx.got);
    ck_assert_int_eq(drainedCalls, 0);  /* lingering until the client goes */
    closeClient();
    runUntil(wasDrained);
    ck_assert_int_eq(drainedCalls, 1);
    ck_assert_uint_eq(httpserv_connections(fx.hs), 0);
}
END_TEST

/* Nothing open: done is called from httpserv_drain itself. */
START_TEST(drain_with_nothing_open_is_done_at_once)
{
    closeClient();
    runUntil(noConnections);
    drainedCalls = 0;
    httpserv_drain(fx.hs, onDrained, &drainedCalls);
    ck_assert_int_eq(drainedCalls, 1);
}
END_TEST

/* Over TLS: pipelined requests with replies larger than a TLS record
 * are answered whole and in order, then the connection closes. */
START_TEST(tls_connection_serves_pipelined_requests)
{
    X509 *cert;
    EVP_PKEY *key;
    test_certificate(&cert, &key);
    ck_assert_ptr_nonnull(fx.server_tls = SSL_CTX_new(TLS_server_method()));
    ck_assert_int_eq(SSL_CTX_use_certificate(fx.server_tls, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(fx.server_tls, key), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    ck_assert_ptr_nonnull(fx.client_tls = SSL_CTX_new(TLS_client_method()));
    serve(60000);
    fx.big = 100000;
    feedText("GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\n"
             "Content-Length: 3\r\n\r\nabc");
    feedText("GET /3 HTTP/1.1\r\nConnection: close\r\n\r\n");
    waitFor(-1);
    ck_assert_int_eq(fx.handled, 3);
    ck_assert_int_eq(repliesGot(), 3);
    ck_assert_str_eq(fx.seen[1], "POST /2|-|3:abc|ok");
    ck_assert_uint_gt(fx.len, 3 * 100000);
}
END_TEST

Suite *httpserv_suite(void)
{
    Suite *s = suite_create("httpserv");
    TCase *tc = tcase_create("httpserv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, keep_alive_serves_requests_in_turn);
    tcase_add_test(tc, request_in_pieces_is_whole);
    tcase_add_test(tc, chunked_body_is_decoded);
    tcase_add_test(tc, pipelined_requests_wait_for_the_reply_before);
    tcase_add_test(tc, expect_continue_is_answered_before_the_body);
    tcase_add_test(tc, body_over_the_limit_is_refused_unread);
    tcase_add_test(tc, chunked_body_over_the_limit_is_refused);
    tcase_add_loop_test(tc, malformed_requests_are_refused, 0,
                        (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(tc, head_over_the_limit_is_refused);
    tcase_add_test(tc, too_many_headers_are_refused);
    tcase_add_test(tc, http10_closes_unless_kept_alive);
    tcase_add_test(tc, connection_close_closes_after_the_reply);
    tcase_add_test(tc, head_reply_has_no_body);
    tcase_add_test(tc, client_gone_calls_the_close_callback);
    tcase_add_test(tc, reply_from_the_close_callback);
    tcase_add_test(tc, free_with_a_request_held);
    tcase_add_test(tc, large_reply_is_written_whole);
    tcase_add_test(tc, idle_connection_is_closed);
    tcase_add_test(tc, held_request_outlives_the_idle_timeout);
    tcase_add_test(tc, connections_over_the_cap_wait);
    tcase_add_test(tc, group_shares_connections_out);
    tcase_add_test(tc, drain_finishes_what_came_and_takes_nothing_new);
    tcase_add_test(tc, drain_with_nothing_open_is_done_at_once);
    tcase_add_test(tc, tls_connection_serves_pipelined_requests);
    suite_add_tcase(s, tc);
    return s;
}
