/*
 * serveconf: the daemon's own configuration -- where it listens, how many
 * workers, the limits, logging, and how each legacy service is reached
 * (URL, timeouts, keep-alive pool, TLS, HTTP authentication,
 * WS-Security). It comes from DIR/soapbridge.yaml for
 * `soapbridge serve -c DIR`, or from the embedded defaults for
 * `soapbridge serve --wsdl DIR`; the command line's --listen, --endpoint
 * and --workers then override it. The capabilities themselves (wsdl/,
 * xslt/, mappings/) are confdir's business.
 *
 * Read at start, and again at each reload, into a struct that the
 * workers only read (STYLE.md habit 5); every string in it belongs to it.
 *
 * The file (every key optional; defaults in brackets):
 *
 *   listen:                       # [one address, 127.0.0.1:8080]
 *     - address: 127.0.0.1:8080   # HOST:PORT or [IPv6]:PORT; port 0..65535,
 *                                 # 0 = any free port
 *       tls: {certificate: certs/server.pem, key: certs/server.key}
 *   workers: 4                    # 1..256 [online CPUs, at most 256]
 *   zero_config: true             # serve every WSDL operation at
 *                                 # /v1/services/... [false in a file]
 *   strict: false                 # undeclared response content is an
 *                                 # error [false]
 *   watch: false                  # reload when a file of the folder
 *                                 # changes, as SIGHUP does [false in a
 *                                 # file, true embedded]
 *   limits:
 *     max_body_bytes: 1048576     # request body; 413 above [1 MiB]
 *     max_json_depth: 64          # request JSON nesting, 1..1024 [64]
 *     max_response_bytes: 16777216  # upstream response [16 MiB]
 *     request_timeout_ms: 30000   # whole request [30000]
 *     max_connections: 10000      # client connections at once, 1..1000000
 *                                 # [10000]
 *   logging:
 *     access_log: "-"             # "-" stdout, "off", or a path ["-"]
 *     level: info                 # error, warn, info, debug [info]
 *   upstreams:                    # keyed by WSDL service name
 *     ShippingService:
 *       url: ${SHIPPING_URL}      # http(s) URL; overrides the mapping's
 *                                 # endpoint and the WSDL soap:address
 *       connect_timeout_ms: 2000  # 1..600000 [2000]
 *       timeout_ms: 10000         # whole SOAP call, 1..3600000 [30000]
 *       pool_size: 16             # keep-alive connections per worker,
 *                                 # 1..1024 [16]
 *       tls: {ca: certs/ca.pem, certificate: certs/client.pem,
 *             key: certs/client.key, insecure: false}
 *       auth: {type: basic, username: erp, password_env: SHIPPING_PASSWORD}
 *                                 # type basic or ntlm; or password_file
 *       ws_security: {username: bot, password_file: secrets/ws,
 *                     digest: true}   # UsernameToken; PasswordDigest
 *                                     # when digest is true [false]
 *   defaults:                     # for every service without its own
 *     connect_timeout_ms: 2000    # value: connect_timeout_ms, timeout_ms,
 *     timeout_ms: 30000           # pool_size and tls only
 *
 * - Every scalar value may use ${NAME} (an unset NAME is an error) and
 *   ${NAME:-default} (the default when NAME is unset or empty); "$$" is
 *   a literal "$". Defaults are not expanded again.
 * - Relative paths (certificates, keys, CA, password_file, access_log)
 *   are relative to DIR; certificate, key, CA and secret files must be
 *   readable at load.
 * - Secrets are never inline: `password:` is refused. password_env names
 *   an environment variable, password_file a file whose one trailing
 *   newline is dropped; either is read at load, and must not be empty.
 * - defaults takes no url, auth or ws_security: a credential given once
 *   for every upstream would also go to services that never asked for it.
 *   A service's tls block replaces the defaults' tls block as a whole.
 * - Unknown keys, wrong types, numbers out of range, bad addresses and
 *   URLs are errors with the file and line; every one is reported.
 */
#ifndef SB_SERVECONF_H
#define SB_SERVECONF_H

#include <stddef.h>

#include "error.h"

enum serveconf_log_level {
    SERVECONF_LOG_ERROR = 0,
    SERVECONF_LOG_WARN,
    SERVECONF_LOG_INFO,
    SERVECONF_LOG_DEBUG
};

enum serveconf_auth {
    SERVECONF_AUTH_NONE = 0,
    SERVECONF_AUTH_BASIC,
    SERVECONF_AUTH_NTLM
};

/* One listen address. */
struct serveconf_listen {
    char *host;             /* "127.0.0.1", "::1" (no brackets), "localhost" */
    int port;               /* 0..65535; 0: any free port */
    char *tls_certificate;  /* PEM files, paths resolved against DIR; */
    char *tls_key;          /* both NULL: plain HTTP */
    int line;               /* in the file; 0 when not from a file */
};

struct serveconf_limits {
    size_t max_body_bytes;      /* 1..1 GiB; default 1048576 */
    size_t max_json_depth;      /* 1..1024; default 64 */
    size_t max_response_bytes;  /* 1..1 GiB; default 16777216 */
    long request_timeout_ms;    /* 1..3600000; default 30000 */
    size_t max_connections;     /* 1..1000000; default 10000 */
};

struct serveconf_logging {
    char *access_log;               /* "-" (stdout, the default), "off", or
                                       a path resolved against DIR */
    enum serveconf_log_level level; /* default SERVECONF_LOG_INFO */
};

/* How one legacy service is reached; the values are the service's own,
 * else the defaults section's, else the built-in defaults. */
struct serveconf_upstream {
    char *service;              /* WSDL service name; NULL for the defaults */
    char *url;                  /* NULL: the mapping's endpoint, else the
                                   WSDL's soap:address */
    long connect_timeout_ms;    /* default 2000 */
    long timeout_ms;            /* default 30000 */
    int pool_size;              /* keep-alive connections per worker;
                                   default 16 */
    char *tls_ca;               /* PEM paths resolved against DIR; NULL: */
    char *tls_certificate;      /* the system CAs, no client certificate */
    char *tls_key;
    int tls_insecure;           /* 1: no certificate verification; 0 */
    enum serveconf_auth auth;   /* HTTP authentication; default none */
    char *username;             /* auth != NONE: both set */
    char *password;             /* the secret itself, read at load */
    char *ws_username;          /* NULL: no WS-Security header */
    char *ws_password;
    int ws_digest;              /* 1: PasswordDigest, 0: PasswordText */
    int line;                   /* of its name in the file; 0 otherwise */
};

struct serveconf {
    char *dir;                  /* the configuration folder; NULL for the
                                   embedded defaults */
    char *file;                 /* DIR/soapbridge.yaml; NULL likewise */
    struct serveconf_listen *listen;    /* at least one */
    size_t n_listen;
    int workers;                /* 1..256; default the online CPUs */
    int zero_config;            /* default 0 in a file, 1 embedded */
    int strict;                 /* default 0 */
    int watch;                  /* default 0 in a file, 1 embedded */
    struct serveconf_limits limits;
    struct serveconf_logging logging;
    struct serveconf_upstream *upstreams;   /* named services, file order
                                               then --endpoint order */
    size_t n_upstreams;
    struct serveconf_upstream defaults;     /* for every other service */
    int upstream_pool_size;     /* one worker's keep-alive connections for
                                   all upstreams: every named service's
                                   pool_size plus the defaults' once */
};

/* Every problem found in a file (not only the first), each with its file
 * and line. */
struct serveconf_problems {
    struct sb_error *items;
    size_t n;
};

struct serveconf_options {
    /* Looks up ${NAME} and password_env; NULL: getenv(3). Returns NULL
     * for an unset variable. */
    const char *(*lookup_env)(void *context, const char *name);
    void *env_context;
    const char *file;           /* the file in DIR; NULL: "soapbridge.yaml" */
};

/*
 * Read DIR/soapbridge.yaml (opt may be NULL). Returns the configuration
 * (serveconf_free), or NULL with every problem in *problems (which is
 * reset first; free it with serveconf_problems_clear). The problems'
 * code is "config". NULL with no problem listed means memory ran out.
 */
struct serveconf *serveconf_load(const char *dir,
                                 const struct serveconf_options *opt,
                                 struct serveconf_problems *problems);

/*
 * The embedded configuration used without a file: listen on
 * 127.0.0.1:8080, zero_config on, workers = online CPUs, access log on
 * stdout, and every other value at its default. NULL when out of memory.
 */
struct serveconf *serveconf_default(void);

/* Replace every listen address by one plain-HTTP "HOST:PORT" or
 * "[IPv6]:PORT" (--listen). 0 or -1 with err (conf unchanged). */
int serveconf_set_listen(struct serveconf *conf, const char *address,
                         struct sb_error *err);

/* "SERVICE=URL" (--endpoint): set the url of that service's upstream,
 * adding one with the defaults if the service is not named yet. 0 or -1
 * with err (conf unchanged). */
int serveconf_set_endpoint(struct serveconf *conf, const char *assignment,
                           struct sb_error *err);

/* Worker threads from text, "1".."256" (--workers). 0 or -1 with err. */
int serveconf_set_workers(struct serveconf *conf, const char *workers,
                          struct sb_error *err);

/* The settings of `service`: its upstream, or conf->defaults when it is
 * not named. Never NULL; owned by conf. */
const struct serveconf_upstream *serveconf_upstream(
    const struct serveconf *conf, const char *service);

/* Frees conf (NULL is fine); secrets are wiped first. */
void serveconf_free(struct serveconf *conf);

void serveconf_problems_clear(struct serveconf_problems *problems);

#endif
