/*
 * serveconf: soapbridge.yaml files under tests/data/serveconf/, one file
 * per case. A good file's whole configuration is dumped as text and
 * compared with its .expected file; a bad file's problems, every one as
 * "file:line: message", are compared with its .expected file
 * (SB_UPDATE_GOLDEN=1 rewrites both kinds). The environment comes from a
 * table through the options' lookup function, never from setenv.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serveconf.h"
#include "strbuf.h"
#include "suites.h"
#include "testutil.h"

#define DATA "tests/data/serveconf"

/* ---- the environment the files see ------------------------------------- */

struct env_var {
    const char *name, *value;
};

static const struct env_var test_env[] = {
    {"HOST", "127.0.0.2"},
    {"PORT", "9090"},
    {"WORKERS", "5"},
    {"SHIPPING_URL", "http://erp.example:8083/shipping"},
    {"SHIPPING_PASSWORD", "s3cret"},
    {"TICKET_WS_PASSWORD", "t1cket"},
    {"P", "p"},
    {"EMPTY", ""},
    {NULL, NULL},
};

static const char *lookupTable(void *context, const char *name)
{
    for (const struct env_var *v = context; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v->value;
    return NULL;
}

static const char *dataDir(char *buf, size_t size)
{
    return test_path(buf, size, DATA);
}

static struct serveconf *loadCase(const char *file, const struct env_var *env,
                                  struct serveconf_problems *problems)
{
    char dir[4096];
    struct serveconf_options opt = {lookupTable, (void *)env, file};
    return serveconf_load(dataDir(dir, sizeof(dir)), &opt, problems);
}

/* ---- text helpers ------------------------------------------------------- */

/* s with every `from` replaced by `to`; malloc'ed. */
static char *replaceAll(const char *s, const char *from, const char *to)
{
    struct strbuf sb;
    size_t n = strlen(from);
    strbuf_init(&sb);
    for (const char *hit; (hit = strstr(s, from)); s = hit + n) {
        strbuf_append(&sb, s, (size_t)(hit - s));
        strbuf_puts(&sb, to);
    }
    strbuf_puts(&sb, s);
    return strbuf_detach(&sb, NULL);
}

static const char *orDash(const char *s)
{
    return s ? s : "-";
}

static void dumpUpstream(struct strbuf *sb, const char *label,
                         const struct serveconf_upstream *u)
{
    static const char *const auth[] = {"none", "basic", "ntlm"};
    strbuf_printf(sb, "%s (line %d)\n", label, u->line);
    strbuf_printf(sb, "  url = %s\n", orDash(u->url));
    strbuf_printf(sb, "  connect_timeout_ms = %ld\n", u->connect_timeout_ms);
    strbuf_printf(sb, "  timeout_ms = %ld\n", u->timeout_ms);
    strbuf_printf(sb, "  pool_size = %d\n", u->pool_size);
    strbuf_printf(sb, "  tls = ca %s, certificate %s, key %s, insecure %d\n",
                  orDash(u->tls_ca), orDash(u->tls_certificate),
                  orDash(u->tls_key), u->tls_insecure);
    strbuf_printf(sb, "  auth = %s %s %s\n", auth[u->auth],
                  orDash(u->username), orDash(u->password));
    strbuf_printf(sb, "  ws_security = %s %s %s\n", orDash(u->ws_username),
                  orDash(u->ws_password), u->ws_digest ? "digest" : "text");
}

/* Every member but workers (it follows the machine) as text, the data
 * folder shown as DIR. */
static char *dumpConf(const struct serveconf *c)
{
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    char dir[4096];
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "file = %s\n", orDash(c->file));
    for (size_t i = 0; i < c->n_listen; i++) {
        const struct serveconf_listen *l = &c->listen[i];
        strbuf_printf(&sb, "listen[%zu] = %s port %d, tls %s %s (line %d)\n",
                      i, l->host, l->port, orDash(l->tls_certificate),
                      orDash(l->tls_key), l->line);
    }
    strbuf_printf(&sb, "zero_config = %d\nstrict = %d\nwatch = %d\n",
                  c->zero_config, c->strict, c->watch);
    strbuf_printf(&sb, "limits = body %zu, depth %zu, response %zu, "
                  "timeout %ld, connections %zu\n", c->limits.max_body_bytes,
                  c->limits.max_json_depth, c->limits.max_response_bytes,
                  c->limits.request_timeout_ms, c->limits.max_connections);
    strbuf_printf(&sb, "logging = %s, %s\n", c->logging.access_log,
                  levels[c->logging.level]);
    strbuf_printf(&sb, "upstream_pool_size = %d\n", c->upstream_pool_size);
    dumpUpstream(&sb, "defaults", &c->defaults);
    for (size_t i = 0; i < c->n_upstreams; i++)
        dumpUpstream(&sb, c->upstreams[i].service, &c->upstreams[i]);
    char *text = strbuf_detach(&sb, NULL);
    char *shown = replaceAll(text, dataDir(dir, sizeof(dir)), "DIR");
    free(text);
    return shown;
}

/* Every problem as "file:line: message" lines, the folder left out. */
static char *formatProblems(const struct serveconf_problems *p)
{
    char dir[4096], prefix[4200], line[1024];
    struct strbuf sb;
    strbuf_init(&sb);
    snprintf(prefix, sizeof(prefix), "%s/", dataDir(dir, sizeof(dir)));
    for (size_t i = 0; i < p->n; i++) {
        ck_assert_str_eq(p->items[i].code, "config");
        strbuf_printf(&sb, "%s\n", error_format(&p->items[i], line,
                                                sizeof(line)));
    }
    char *text = strbuf_detach(&sb, NULL);
    char *shown = replaceAll(text, prefix, "");
    free(text);
    return shown;
}

static void assertNoProblem(const struct serveconf_problems *p)
{
    char line[1024];
    ck_assert_msg(p->n == 0, "%zu problem(s), first: %s", p->n,
                  p->n ? error_format(&p->items[0], line, sizeof(line)) : "");
}

static int onlineCpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* ---- good files --------------------------------------------------------- */

static const struct {
    const char *file;
    int workers;        /* 0: one per online CPU */
} good_files[] = {
    {"good_full", 3},
    {"good_minimal", 0},
    {"good_env", 5},
    {"good_defaults", 0},
    {"good_secrets", 0},
};

START_TEST(good_file_loads_as_expected)
{
    char file[128], golden[256];
    struct serveconf_problems problems;
    snprintf(file, sizeof(file), "%s.yaml", good_files[_i].file);
    snprintf(golden, sizeof(golden), DATA "/%s.expected",
             good_files[_i].file);
    struct serveconf *c = loadCase(file, test_env, &problems);
    assertNoProblem(&problems);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->workers, good_files[_i].workers
                                     ? good_files[_i].workers
                                     : onlineCpus());
    char *dump = dumpConf(c);
    ck_assert_msg(test_golden(golden, dump, strlen(dump)), "%s differs",
                  golden);
    free(dump);
    serveconf_problems_clear(&problems);
    serveconf_free(c);
}
END_TEST

/* ---- bad files ---------------------------------------------------------- */

static const char *const bad_files[] = {
    "bad_unknown_keys", "bad_types",    "bad_ranges",
    "bad_addresses",    "bad_listen_items", "bad_listen_empty",
    "bad_env",          "bad_inline_password", "bad_secrets",
    "bad_defaults",     "bad_upstreams", "bad_tls",
    "bad_syntax",       "bad_not_mapping", "bad_nulls",
};

START_TEST(bad_file_names_every_problem)
{
    char file[128], golden[256];
    struct serveconf_problems problems;
    snprintf(file, sizeof(file), "%s.yaml", bad_files[_i]);
    snprintf(golden, sizeof(golden), DATA "/%s.expected", bad_files[_i]);
    struct serveconf *c = loadCase(file, test_env, &problems);
    ck_assert_ptr_null(c);
    ck_assert_uint_gt(problems.n, 0);
    char *text = formatProblems(&problems);
    ck_assert_msg(test_golden(golden, text, strlen(text)), "%s differs:\n%s",
                  golden, text);
    free(text);
    serveconf_problems_clear(&problems);
}
END_TEST

START_TEST(missing_file_is_one_problem)
{
    struct serveconf_problems problems;
    struct serveconf *c = loadCase("no_such.yaml", test_env, &problems);
    ck_assert_ptr_null(c);
    char *text = formatProblems(&problems);
    ck_assert_str_eq(text, "no_such.yaml: cannot open: No such file or "
                           "directory\n");
    free(text);
    serveconf_problems_clear(&problems);

    c = serveconf_load("/nonexistent-soapbridge-dir", NULL, &problems);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(problems.n, 1);
    ck_assert_str_eq(problems.items[0].file,
                     "/nonexistent-soapbridge-dir/soapbridge.yaml");
    serveconf_problems_clear(&problems);
}
END_TEST

START_TEST(problems_may_be_left_out)
{
    struct serveconf_options opt = {lookupTable, (void *)test_env,
                                    "bad_secrets.yaml"};
    char dir[4096];
    dataDir(dir, sizeof(dir));
    ck_assert_ptr_null(serveconf_load(dir, &opt, NULL));
    opt.file = "good_minimal.yaml";
    struct serveconf *c = serveconf_load(dir, &opt, NULL);
    ck_assert_ptr_nonnull(c);
    serveconf_free(c);
    serveconf_free(NULL);
}
END_TEST

/* Secrets, read at load, belong to the struct. */
START_TEST(secrets_are_read_at_load)
{
    struct serveconf_problems problems;
    struct serveconf *c = loadCase("good_secrets.yaml", test_env, &problems);
    assertNoProblem(&problems);
    ck_assert_ptr_nonnull(c);
    const struct serveconf_upstream *u = serveconf_upstream(c, "EnvService");
    ck_assert_int_eq(u->auth, SERVECONF_AUTH_BASIC);
    ck_assert_str_eq(u->password, "s3cret");
    u = serveconf_upstream(c, "FileService");
    ck_assert_int_eq(u->auth, SERVECONF_AUTH_NTLM);
    ck_assert_str_eq(u->password, "no-newline");
    ck_assert_str_eq(u->ws_password, "erp-pass");   /* "\r\n" dropped */
    ck_assert_int_eq(u->ws_digest, 0);
    serveconf_free(c);
}
END_TEST

/* ---- the bundled demo configuration ------------------------------------- */

static struct serveconf *loadDemo(const struct env_var *env,
                                  struct serveconf_problems *problems)
{
    struct serveconf_options opt = {lookupTable, (void *)env, NULL};
    return serveconf_load(TOP_SRCDIR, &opt, problems);
}

START_TEST(demo_config_loads_with_its_defaults)
{
    static const struct env_var none[] = {{NULL, NULL}};
    struct serveconf_problems problems;
    struct serveconf *c = loadDemo(none, &problems);
    assertNoProblem(&problems);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_listen, 1);
    ck_assert_str_eq(c->listen[0].host, "127.0.0.1");
    ck_assert_int_eq(c->listen[0].port, 8080);
    ck_assert_ptr_null(c->listen[0].tls_certificate);
    ck_assert_int_eq(c->zero_config, 1);
    ck_assert_int_eq(c->strict, 0);
    ck_assert_int_eq(c->workers, onlineCpus());
    ck_assert_str_eq(c->logging.access_log, "-");
    ck_assert_uint_eq(c->limits.max_body_bytes, 1048576);
    ck_assert_uint_eq(c->n_upstreams, 4);
    ck_assert_str_eq(serveconf_upstream(c, "SalesService")->url,
                     "http://127.0.0.1:8081/sales");
    ck_assert_str_eq(serveconf_upstream(c, "BillingService")->url,
                     "http://127.0.0.1:8082/billing");
    ck_assert_str_eq(serveconf_upstream(c, "TicketService")->url,
                     "http://127.0.0.1:8084/ticket");
    const struct serveconf_upstream *ship =
        serveconf_upstream(c, "ShippingService");
    ck_assert_str_eq(ship->url, "http://127.0.0.1:8083/shipping");
    ck_assert_int_eq(ship->timeout_ms, 10000);
    ck_assert_int_eq(ship->connect_timeout_ms, 2000);
    ck_assert_int_eq(ship->pool_size, 8);
    ck_assert_int_eq(ship->auth, SERVECONF_AUTH_NONE);
    ck_assert_ptr_null(ship->ws_username);
    ck_assert_int_eq(c->upstream_pool_size, 5 * 8);
    serveconf_free(c);
}
END_TEST

START_TEST(demo_config_reads_the_environment)
{
    static const struct env_var env[] = {
        {"SHIPPING_URL", "http://127.0.0.1:40001/shipping"},
        {"SHIPPING_TIMEOUT_MS", "1500"},
        {NULL, NULL},
    };
    struct serveconf_problems problems;
    struct serveconf *c = loadDemo(env, &problems);
    assertNoProblem(&problems);
    ck_assert_ptr_nonnull(c);
    const struct serveconf_upstream *ship =
        serveconf_upstream(c, "ShippingService");
    ck_assert_str_eq(ship->url, "http://127.0.0.1:40001/shipping");
    ck_assert_int_eq(ship->timeout_ms, 1500);
    ck_assert_str_eq(serveconf_upstream(c, "SalesService")->url,
                     "http://127.0.0.1:8081/sales");
    serveconf_free(c);

    /* and through getenv(3) when no lookup is given */
    c = serveconf_load(TOP_SRCDIR, NULL, &problems);
    assertNoProblem(&problems);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_upstreams, 4);
    serveconf_free(c);
}
END_TEST

/* ---- the embedded defaults and the command line ------------------------- */

START_TEST(embedded_defaults)
{
    struct serveconf *c = serveconf_default();
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(c->dir);
    ck_assert_ptr_null(c->file);
    ck_assert_uint_eq(c->n_listen, 1);
    ck_assert_str_eq(c->listen[0].host, "127.0.0.1");
    ck_assert_int_eq(c->listen[0].port, 8080);
    ck_assert_int_eq(c->zero_config, 1);
    ck_assert_int_eq(c->strict, 0);
    ck_assert_int_eq(c->watch, 1);
    ck_assert_int_eq(c->workers, onlineCpus());
    ck_assert_uint_eq(c->limits.max_body_bytes, 1048576);
    ck_assert_uint_eq(c->limits.max_json_depth, 64);
    ck_assert_uint_eq(c->limits.max_response_bytes, 16777216);
    ck_assert_int_eq(c->limits.request_timeout_ms, 30000);
    ck_assert_uint_eq(c->limits.max_connections, 10000);
    ck_assert_str_eq(c->logging.access_log, "-");
    ck_assert_int_eq(c->logging.level, SERVECONF_LOG_INFO);
    ck_assert_uint_eq(c->n_upstreams, 0);
    const struct serveconf_upstream *u = serveconf_upstream(c, "Any");
    ck_assert_ptr_eq(u, &c->defaults);
    ck_assert_ptr_eq(serveconf_upstream(c, NULL), &c->defaults);
    ck_assert_ptr_null(u->service);
    ck_assert_ptr_null(u->url);
    ck_assert_int_eq(u->connect_timeout_ms, 2000);
    ck_assert_int_eq(u->timeout_ms, 30000);
    ck_assert_int_eq(u->pool_size, 16);
    ck_assert_int_eq(u->tls_insecure, 0);
    ck_assert_int_eq(u->auth, SERVECONF_AUTH_NONE);
    ck_assert_int_eq(c->upstream_pool_size, 16);
    serveconf_free(c);
}
END_TEST

static const struct {
    const char *text;
    const char *host;   /* NULL: refused with message */
    int port;
    const char *message;
} listen_cases[] = {
    {"0.0.0.0:0", "0.0.0.0", 0, NULL},
    {"[::1]:65535", "::1", 65535, NULL},
    {"my-host.example:8080", "my-host.example", 8080, NULL},
    {"localhost", NULL, 0, "bad listen address 'localhost': expected "
                           "HOST:PORT or [IPv6]:PORT"},
    {"[::1]:65536", NULL, 0, "bad listen address '[::1]:65536': the port "
                             "must be a number from 0 to 65535"},
    {"1.2.3:80", NULL, 0, "bad listen address '1.2.3:80': '1.2.3' is not "
                          "an IPv4 address"},
    {"", NULL, 0, "bad listen address '': expected HOST:PORT or "
                  "[IPv6]:PORT"},
};

START_TEST(set_listen_replaces_every_address)
{
    struct sb_error err;
    struct serveconf_problems problems;
    struct serveconf *c = loadCase("good_full.yaml", test_env, &problems);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_listen, 3);
    error_clear(&err);
    int rc = serveconf_set_listen(c, listen_cases[_i].text, &err);
    if (listen_cases[_i].host) {
        ck_assert_msg(rc == 0, "%s", err.message);
        ck_assert_uint_eq(c->n_listen, 1);
        ck_assert_str_eq(c->listen[0].host, listen_cases[_i].host);
        ck_assert_int_eq(c->listen[0].port, listen_cases[_i].port);
        ck_assert_ptr_null(c->listen[0].tls_certificate);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.code, "config");
        ck_assert_str_eq(err.message, listen_cases[_i].message);
        ck_assert_uint_eq(c->n_listen, 3);
    }
    serveconf_free(c);
}
END_TEST

START_TEST(set_endpoint_adds_or_overrides)
{
    struct sb_error err;
    struct serveconf_problems problems;
    struct serveconf *c = loadCase("good_defaults.yaml", test_env,
                                   &problems);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_upstreams, 3);
    ck_assert_int_eq(c->upstream_pool_size, 5 + 3 + 5 + 5);

    /* override: the other settings stay */
    ck_assert_int_eq(serveconf_set_endpoint(c, "OwnTimeout=https://b.example"
                                            "/t?x=1=2", &err), 0);
    const struct serveconf_upstream *u = serveconf_upstream(c, "OwnTimeout");
    ck_assert_str_eq(u->url, "https://b.example/t?x=1=2");
    ck_assert_int_eq(u->timeout_ms, 4000);
    ck_assert_uint_eq(c->n_upstreams, 3);

    /* add: a copy of the defaults, their tls block included */
    ck_assert_int_eq(serveconf_set_endpoint(c, "NewService=http://n.example",
                                            &err), 0);
    ck_assert_uint_eq(c->n_upstreams, 4);
    u = serveconf_upstream(c, "NewService");
    ck_assert_str_eq(u->service, "NewService");
    ck_assert_str_eq(u->url, "http://n.example");
    ck_assert_int_eq(u->line, 0);
    ck_assert_int_eq(u->connect_timeout_ms, 900);
    ck_assert_int_eq(u->timeout_ms, 9000);
    ck_assert_int_eq(u->pool_size, 5);
    ck_assert_int_eq(u->tls_insecure, 1);
    ck_assert_ptr_nonnull(strstr(u->tls_certificate, "certs/client.pem"));
    ck_assert_ptr_null(u->tls_ca);
    ck_assert_int_eq(c->upstream_pool_size, 5 + 3 + 5 + 5 + 5);
    ck_assert_ptr_eq(serveconf_upstream(c, "NewServic"), &c->defaults);

    /* and again on the embedded defaults, which name no service */
    serveconf_free(c);
    c = serveconf_default();
    ck_assert_int_eq(serveconf_set_endpoint(c, "A=http://a", &err), 0);
    ck_assert_int_eq(serveconf_set_endpoint(c, "B=http://b", &err), 0);
    ck_assert_int_eq(serveconf_set_endpoint(c, "A=http://a2", &err), 0);
    ck_assert_uint_eq(c->n_upstreams, 2);
    ck_assert_str_eq(serveconf_upstream(c, "A")->url, "http://a2");
    ck_assert_int_eq(serveconf_upstream(c, "B")->timeout_ms, 30000);
    serveconf_free(c);
}
END_TEST

static const struct {
    const char *text;
    const char *message;
} bad_endpoints[] = {
    {"ShippingService", "endpoint 'ShippingService' must be SERVICE=URL"},
    {"=http://x", "endpoint '=http://x' must be SERVICE=URL"},
    {"Ship Service=http://x", "endpoint 'Ship Service=http://x': "
                              "'Ship Service' is not a WSDL service name"},
    {"ShippingService=", "endpoint 'ShippingService=': the URL must be an "
                         "http:// or https:// URL with a host"},
    {"ShippingService=localhost:8083", "endpoint "
     "'ShippingService=localhost:8083': the URL must be an http:// or "
     "https:// URL with a host"},
};

START_TEST(set_endpoint_refuses_bad_ones)
{
    struct sb_error err;
    struct serveconf *c = serveconf_default();
    ck_assert_int_eq(serveconf_set_endpoint(c, bad_endpoints[_i].text, &err),
                     -1);
    ck_assert_str_eq(err.code, "config");
    ck_assert_str_eq(err.message, bad_endpoints[_i].message);
    ck_assert_uint_eq(c->n_upstreams, 0);
    serveconf_free(c);
}
END_TEST

START_TEST(set_workers_takes_1_to_256)
{
    struct sb_error err;
    struct serveconf *c = serveconf_default();
    ck_assert_int_eq(serveconf_set_workers(c, "1", &err), 0);
    ck_assert_int_eq(c->workers, 1);
    ck_assert_int_eq(serveconf_set_workers(c, "256", &err), 0);
    ck_assert_int_eq(c->workers, 256);
    ck_assert_int_eq(serveconf_set_workers(c, "0", &err), -1);
    ck_assert_str_eq(err.message, "workers must be an integer from 1 to 256,"
                                  " not '0'");
    ck_assert_int_eq(serveconf_set_workers(c, "2x", &err), -1);
    ck_assert_int_eq(serveconf_set_workers(c, "", &err), -1);
    ck_assert_int_eq(c->workers, 256);
    serveconf_free(c);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *serveconf_suite(void)
{
    Suite *s = suite_create("serveconf");
    TCase *files = tcase_create("files");
    tcase_add_loop_test(files, good_file_loads_as_expected, 0,
                        N(good_files));
    tcase_add_loop_test(files, bad_file_names_every_problem, 0,
                        N(bad_files));
    tcase_add_test(files, missing_file_is_one_problem);
    tcase_add_test(files, problems_may_be_left_out);
    tcase_add_test(files, secrets_are_read_at_load);
    tcase_add_test(files, demo_config_loads_with_its_defaults);
    tcase_add_test(files, demo_config_reads_the_environment);
    suite_add_tcase(s, files);

    TCase *cli = tcase_create("command line");
    tcase_add_test(cli, embedded_defaults);
    tcase_add_loop_test(cli, set_listen_replaces_every_address, 0,
                        N(listen_cases));
    tcase_add_test(cli, set_endpoint_adds_or_overrides);
    tcase_add_loop_test(cli, set_endpoint_refuses_bad_ones, 0,
                        N(bad_endpoints));
    tcase_add_test(cli, set_workers_takes_1_to_256);
    suite_add_tcase(s, cli);
    return s;
}
