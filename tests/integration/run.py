#!/usr/bin/env python3
"""Black-box integration tests: the real proxy against the real gSOAP demo
services, over HTTP on 127.0.0.1 ports chosen free at run time.

usage: tests/integration/run.py BUILDDIR SRCDIR

Each case is a folder under tests/integration/cases/ (run in name order):
  request.json   {"method", "path", "headers"?, "body"? (JSON value) or
                  "body_text"? (raw text), "proxy"? ("demo" | "broken" |
                  "wsdl"),
                  "before"? (an action: "stop TicketService")}
  status         the expected HTTP status
  response.json  the exact expected JSON body, after normalising the
                 fields that vary (meta.duration_ms, generated request ids);
                 rewritten when SB_UPDATE_GOLDEN=1
  contains       instead of response.json: lines the body must contain
Ends with one line: "integration: N passed, M failed".

Proxies: "demo" with the bundled configuration (the repository's
soapbridge.yaml) and every demo service, "broken" whose BillingService
is a server answering an HTML error page and whose SalesService is a port
nobody listens on; "secure" (started after the cases) serves HTTPS and
calls the garbage server with credentials; "wsdl" runs without a
configuration file on a folder of WSDLs. SB_VALGRIND=1 runs the proxies
under valgrind; a clean exit of each counts as one more test.
"""
import http.client
import http.server
import json
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

BUILD, SRC = sys.argv[1], sys.argv[2]
UPDATE = os.environ.get("SB_UPDATE_GOLDEN") == "1"
VALGRIND = os.environ.get("SB_VALGRIND") == "1"
READY_TIMEOUT = 120 if VALGRIND else 30   # seconds to wait for a ready line

SERVICES = {   # WSDL service -> (binary, path, env var of the demo config)
    "SalesService": ("sales-service", "/sales", "SALES_URL"),
    "BillingService": ("billing-service", "/billing", "BILLING_URL"),
    "ShippingService": ("shipping-service", "/shipping", "SHIPPING_URL"),
    "TicketService": ("ticket-service", "/ticket", "TICKET_URL"),
}

passed = failed = 0
started = []        # (name, Popen) of every process this run started


def ok(name):
    global passed
    passed += 1
    print(f"ok {name}")


def not_ok(name, why):
    global failed
    failed += 1
    print(f"not ok {name}: {why}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_line(proc, stream, needle, name, seen=None):
    """Read the process's output until a line containing needle; return
    it (every line read is added to seen). The read blocks on the pipe:
    no sleeping, no polling."""
    timer = threading.Timer(READY_TIMEOUT, proc.kill)
    timer.start()
    try:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if seen is not None:
                seen.append(line + "\n")
            if needle in line:
                return line
        raise RuntimeError(f"{name} exited before '{needle}' "
                           f"(status {proc.wait()})")
    finally:
        timer.cancel()


def drain(stream, sink, changed=None):
    for raw in stream:
        line = raw.decode("utf-8", "replace")
        if changed is None:
            sink.append(line)
            continue
        with changed:
            sink.append(line)
            changed.notify_all()


def wait_said(proxy, needle, since):
    """Wait until a line of the proxy's stderr after the first `since`
    lines contains needle (woken by each line read); return that line."""
    def found():
        return next((l for l in proxy["errors"][since:] if needle in l),
                    None)
    with proxy["changed"]:
        if not proxy["changed"].wait_for(found, timeout=READY_TIMEOUT):
            raise RuntimeError(f"no '{needle}' on stderr: " +
                               "".join(proxy["errors"][since:])[-1500:])
        return found()


def start_service(service):
    binary, path, _ = SERVICES[service]
    # Port 0: the service binds a free port and names it in its ready line.
    proc = subprocess.Popen([os.path.join(BUILD, "tests/legacy", binary),
                             "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    started.append((service, proc))
    line = wait_line(proc, proc.stdout, "ready", service)
    port = int(line.rsplit(":", 1)[1])
    return proc, f"http://127.0.0.1:{port}{path}"


class GarbageHandler(http.server.BaseHTTPRequestHandler):
    """A legacy host whose application server is down: an HTML page. It
    keeps the headers of what it was sent, to check what the proxy
    passes on."""
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        GarbageHandler.seen.append(dict(self.headers, body=body.decode()))
        body = (b"<html><head><title>502 Proxy Error</title></head><body>"
                b"<h1>Proxy Error</h1></body></html>")
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_proxy(name, args, env, listen=True, max_files=None):
    cmd = [os.path.join(BUILD, "soapbridge"), "serve", *args,
           "--workers", "2"]
    if listen:
        cmd += ["--listen", "127.0.0.1:0"]
    if VALGRIND:
        cmd = ["valgrind", "-q", "--leak-check=full",
               "--errors-for-leak-kinds=definite", "--error-exitcode=99",
               *cmd]
    limit = None
    if max_files:
        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env,
                            preexec_fn=limit)
    started.append((name, proc))
    log, errors, changed = [], [], threading.Condition()
    line = wait_line(proc, proc.stderr, "listening on", name, errors)
    threading.Thread(target=drain, args=(proc.stdout, log), daemon=True).start()
    threading.Thread(target=drain, args=(proc.stderr, errors, changed),
                     daemon=True).start()
    port = int(line.rsplit(":", 1)[1])
    return {"proc": proc, "port": port, "log": log, "errors": errors,
            "changed": changed}


class Number:
    """A JSON number kept as its text, so that 12.50 and 12.5 differ."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Number) and other.text == self.text


def parse(text):
    return json.loads(text, parse_int=Number, parse_float=Number)


def dump(value, indent=""):
    """Pretty JSON that writes numbers as their text."""
    inner = indent + "  "
    if isinstance(value, Number):
        return value.text
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: "
                 f"{dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value:
        items = [inner + dump(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


# Ports are chosen at run time and connect times vary.
VARYING = [(re.compile(r"127\.0\.0\.1(:| port )\d+"), r"127.0.0.1\1<port>"),
           (re.compile(r"after \d+ ms"), "after <n> ms")]


def normalise(doc, response_id, sent_id):
    """Blank what varies from run to run; keep a request id the client
    sent, since the proxy must echo it."""
    if isinstance(doc, dict):
        meta = doc.get("meta")
        if isinstance(meta, dict):
            if "duration_ms" in meta:
                meta["duration_ms"] = "<duration>"
            if meta.get("request_id") == response_id and \
                    response_id != sent_id:
                meta["request_id"] = "<generated>"
        return {k: normalise(v, None, None) if k != "meta" else v
                for k, v in doc.items()}
    if isinstance(doc, list):
        return [normalise(v, None, None) for v in doc]
    if isinstance(doc, str):
        for pattern, replacement in VARYING:
            doc = pattern.sub(replacement, doc)
    return doc


def run_case(case_dir, proxies, services):
    name = os.path.basename(case_dir)
    with open(os.path.join(case_dir, "request.json")) as f:
        spec = json.load(f)
    before = spec.get("before")
    if before:
        verb, service = before.split()
        if verb == "stop":
            proc = services[service][0]
            proc.terminate()
            proc.wait()
    proxy = proxies[spec.get("proxy", "demo")]
    headers = dict(spec.get("headers", {}))
    if "body" in spec:
        body = json.dumps(spec["body"], ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        body = spec.get("body_text", "").encode() or None
    conn = http.client.HTTPConnection("127.0.0.1", proxy["port"], timeout=60)
    conn.request(spec["method"], spec["path"], body=body, headers=headers)
    res = conn.getresponse()
    text = res.read().decode("utf-8")
    conn.close()
    with open(os.path.join(case_dir, "status")) as f:
        want_status = int(f.read())
    problems = []
    if res.status != want_status:
        problems.append(f"status {res.status}, want {want_status}")
    response_id = res.getheader("X-Request-Id")
    if not response_id:
        problems.append("no X-Request-Id header")
    sent_id = headers.get("X-Request-Id")
    if sent_id and response_id != sent_id:
        problems.append(f"X-Request-Id {response_id}, want {sent_id}")
    golden = os.path.join(case_dir, "response.json")
    contains = os.path.join(case_dir, "contains")
    if os.path.exists(contains):
        with open(contains) as f:
            for line in f.read().splitlines():
                if line and line not in text:
                    problems.append(f"body lacks: {line}")
    else:
        try:
            got = normalise(parse(text), response_id, sent_id)
        except ValueError as e:
            got = None
            problems.append(f"body is not JSON ({e}): {text[:200]}")
        if got is not None and isinstance(got.get("meta"), dict) and \
                got["meta"].get("request_id") not in (response_id,
                                                      "<generated>"):
            problems.append("meta.request_id differs from X-Request-Id")
        if got is not None and UPDATE:
            with open(golden, "w") as f:
                f.write(dump(got) + "\n")
        elif got is not None:
            with open(golden) as f:
                want = parse(f.read())
            if got != want:
                problems.append("body differs:\n  got  " + dump(got) +
                                "\n  want " + dump(want))
    if problems:
        not_ok(name, "; ".join(problems))
    else:
        ok(name)


def stop(name, proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=READY_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def check_trace_passed_on():
    """The case that calls the garbage server sends a traceparent: the
    upstream must get the same trace id with a new parent id, and the
    request id."""
    sent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    got = [h for h in GarbageHandler.seen
           if h.get("X-Request-Id") == "trace-check-1"]
    tp = got[0].get("traceparent", "") if got else ""
    if not got:
        not_ok("traceparent passed on", "no upstream call with the id")
    elif not re.fullmatch(r"00-4bf92f3577b34da6a3ce929d0e0e4736-"
                          r"[0-9a-f]{16}-01", tp) or tp == sent:
        not_ok("traceparent passed on", f"got '{tp}'")
    else:
        ok("traceparent passed on with a new parent id")


SECURE_CONFIG = """
listen:
  - address: 127.0.0.1:0
    tls: {certificate: server.pem, key: server.key}
logging: {access_log: "off"}
upstreams:
  BillingService:
    url: ${GARBAGE_URL}
    auth: {type: basic, username: erp, password_env: BILLING_PASSWORD}
    ws_security: {username: bot, password_file: ws-secret, digest: true}
"""


def raw_exchange(proxy, wire):
    """Write wire on a new connection; everything read until the close."""
    sock = socket.create_connection(("127.0.0.1", proxy["port"]), timeout=60)
    sock.sendall(wire)
    got = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    sock.close()
    return got.decode("utf-8", "replace")


def check_pipelined(proxy):
    """Two requests in one write on one connection, the second asking to
    close: both are answered, in order, and then the proxy closes (each
    reply is written at once, and the next request read after it)."""
    body = b'{"order_id":"A1001"}'
    wire = (b"POST /v1/capabilities/get_order_status HTTP/1.1\r\n"
            b"Host: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
            body +
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    text = raw_exchange(proxy, wire)
    first = text.find('"capability":"get_order_status"')
    second = text.find('{"status":"ok"}')
    if text.count("HTTP/1.1 200 OK") == 2 and 0 <= first < second:
        ok("pipelined requests answered in order, then the connection closed")
    else:
        not_ok("pipelined requests", text[:600])


def check_connections_shared(proxy):
    """On a proxy nothing has connected to yet: 25 keep-alive connections,
    each answered before the next opens, are held by the two workers
    13 and 12 (the kernel's SO_REUSEPORT split alone is uneven most of
    the time; the listener's group hands connections over), as the 25th
    reads them in /metrics."""
    conns = []
    try:
        for path in ["/healthz"] * 24 + ["/metrics"]:
            conn = http.client.HTTPConnection("127.0.0.1", proxy["port"],
                                              timeout=60)
            conns.append(conn)
            conn.request("GET", path)
            text = conn.getresponse().read().decode()
        held = sorted(int(line.rsplit(" ", 1)[1])
                      for line in text.splitlines()
                      if line.startswith("soapbridge_client_connections{"))
    finally:
        for conn in conns:
            conn.close()
    if held == [12, 13]:
        ok("client connections shared out evenly over the workers")
    else:
        not_ok("client connections shared out", f"workers hold {held}")


def call(proxy, method, path, body=None):
    """One request on a new connection: (status, parsed JSON or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy["port"],
                                      timeout=READY_TIMEOUT)
    try:
        data = body if body is None or isinstance(body, bytes) \
            else json.dumps(body).encode()
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        text = res.read().decode()
    finally:
        conn.close()
    try:
        return res.status, json.loads(text)
    except ValueError:
        return res.status, text


def metric(proxy, series):
    _, text = call(proxy, "GET", "/metrics")
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def start_reload_proxy(env, work):
    """A copy of the bundled configuration whose files the test changes."""
    for folder in ("wsdl", "xslt"):
        os.symlink(os.path.join(SRC, folder), os.path.join(work, folder))
    shutil.copytree(os.path.join(SRC, "mappings"),
                    os.path.join(work, "mappings"))
    with open(os.path.join(SRC, "soapbridge.yaml")) as f:
        conf = f.read()
    with open(os.path.join(work, "soapbridge.yaml"), "w") as f:
        f.write(conf.replace('access_log: "-"', 'access_log: "access.log"'))
    env = dict(env)
    env.pop("SHIPPING_TIMEOUT_MS", None)    # the slow call must not time out
    return start_proxy("reload proxy", ["-c", work], env)


def check_reload(proxy, work):
    """SIGHUP serves the changed folder: a new mapping file, new limits; a
    call running meanwhile finishes on the configuration it started with;
    what only a restart changes is said; a broken file is reported with
    its line and changes nothing."""
    proc = proxy["proc"]
    status, doc = call(proxy, "POST", "/v1/capabilities/track_order",
                       {"order_id": "A1001"})
    if status != 404 or doc["error"]["code"] != "unknown_capability":
        not_ok("reload: before", f"status {status}: {doc}")
        return
    slow = {}

    def slow_call():
        slow["result"] = call(proxy, "POST",
                              "/v1/capabilities/get_order_status",
                              {"order_id": "A1001", "delay_ms": 3000})
    thread = threading.Thread(target=slow_call)
    thread.start()
    # Until the proxy has the slow call (this scrape counts itself too).
    while (metric(proxy, "soapbridge_in_flight_requests") or 0) < 2 and \
            thread.is_alive():
        pass
    path = os.path.join(work, "mappings", "get_order_status.yaml")
    with open(path) as f:
        mapping = f.read()
    with open(os.path.join(work, "mappings", "track_order.yaml"), "w") as f:
        f.write(mapping.replace("capability: get_order_status",
                                "capability: track_order"))
    conf_path = os.path.join(work, "soapbridge.yaml")
    with open(conf_path) as f:
        conf = f.read()
    changed = conf.replace("max_body_bytes: 1048576", "max_body_bytes: 200") \
                  .replace('access_log: "access.log"', 'access_log: "off"')
    with open(conf_path, "w") as f:
        f.write(changed)
    log_path = os.path.join(work, "access.log")
    os.rename(log_path, log_path + ".1")    # as logrotate does
    since = len(proxy["errors"])
    proc.send_signal(signal.SIGHUP)
    line = wait_said(proxy, " serves", since + 1)
    thread.join(timeout=READY_TIMEOUT)
    said = "".join(proxy["errors"][since:])
    if "reloaded: configuration 2 serves" in line:
        ok("SIGHUP reloads the configuration")
    else:
        not_ok("SIGHUP reload", said[-1500:])
        return
    status, doc = call(proxy, "POST", "/v1/capabilities/track_order",
                       {"order_id": "A1001"})
    if status == 200 and doc["ok"] and doc["data"]["order_id"] == "A1001":
        ok("reload: a mapping file added is served")
    else:
        not_ok("reload: the added mapping", f"status {status}: {doc}")
    with open(log_path + ".1") as f:
        before = f.read()
    with open(log_path) as f:
        after = f.read()
    if '"/v1/capabilities/track_order"' in before and \
            '"capability":"track_order"' in after:
        ok("reload: the access log reopened after a rotation")
    else:
        not_ok("reload: access log reopened", f"{before[-300:]} | {after}")
    status, doc = slow.get("result", (None, None))
    if status == 200 and doc["ok"]:
        ok("reload: a call running meanwhile finishes")
    else:
        not_ok("reload: the running call", f"status {status}: {doc}")
    status, doc = call(proxy, "POST", "/v1/capabilities/track_order",
                       {"order_id": "A1001", "pad": "x" * 300})
    if status == 413 and "limit of 200 bytes" in doc["error"]["message"]:
        ok("reload: the new body limit applies")
    else:
        not_ok("reload: the new body limit", f"status {status}: {doc}")
    if "warning: reload: logging.access_log changed" in said and \
            "workers changed" not in said:
        ok("reload: what only a restart changes is said")
    else:
        not_ok("reload: restart-only settings", said[-1500:])
    with open(conf_path, "w") as f:
        f.write(changed.replace("limits:\n", "limits: [\n", 1))
    since = len(proxy["errors"])
    proc.send_signal(signal.SIGHUP)
    wait_said(proxy, " serves", since + 1)
    said = "".join(proxy["errors"][since:])
    status, doc = call(proxy, "POST", "/v1/capabilities/track_order",
                       {"order_id": "A1001"})
    if re.search(r"soapbridge\.yaml:\d+", said) and status == 200 and \
            "configuration 2 still serves" in said:
        ok("reload: a broken file is reported with its line; the running "
           "configuration goes on")
    else:
        not_ok("reload: a broken file", f"status {status}: {said[-1500:]}")
    counts = [metric(proxy, 'soapbridge_config_reloads_total{outcome="ok"}'),
              metric(proxy,
                     'soapbridge_config_reloads_total{outcome="failed"}'),
              metric(proxy, "soapbridge_config_last_reload_successful")]
    if counts == [1, 1, 0]:
        ok("reload: counted in /metrics")
    else:
        not_ok("reload metrics", f"ok, failed, last: {counts}")
    # watch: true, then a new mapping file is enough
    with open(conf_path, "w") as f:
        f.write(changed.replace("watch: false", "watch: true"))
    since = len(proxy["errors"])
    proc.send_signal(signal.SIGHUP)
    wait_said(proxy, "configuration 3 serves", since)
    since = len(proxy["errors"])
    with open(os.path.join(work, "mappings", "ship_status.yaml"), "w") as f:
        f.write(mapping.replace("capability: get_order_status",
                                "capability: ship_status"))
    wait_said(proxy, "configuration 4 serves", since)
    said = "".join(proxy["errors"][since:])
    status, doc = call(proxy, "POST", "/v1/capabilities/ship_status",
                       {"order_id": "A1001"})
    if "mappings/ship_status.yaml changed: reloading" in said and \
            status == 200 and doc["ok"]:
        ok("reload: with watch on, a file written is served")
    else:
        not_ok("reload: watch", f"status {status}: {said[-1500:]}")


def check_graceful_stop(proxy):
    """SIGTERM: new connections are refused and idle ones closed at once,
    while a call in flight is answered (Connection: close) before the
    proxy exits 0."""
    idle = http.client.HTTPConnection("127.0.0.1", proxy["port"],
                                      timeout=READY_TIMEOUT)
    idle.request("GET", "/healthz")
    idle.getresponse().read()
    slow = {}

    def slow_call():
        conn = http.client.HTTPConnection("127.0.0.1", proxy["port"],
                                          timeout=READY_TIMEOUT)
        conn.request("POST", "/v1/capabilities/get_order_status",
                     body=b'{"order_id":"A1001","delay_ms":2000}',
                     headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        slow["reply"] = (res.status, res.getheader("Connection"),
                         json.loads(res.read()))
        conn.close()
    thread = threading.Thread(target=slow_call)
    thread.start()
    while (metric(proxy, "soapbridge_in_flight_requests") or 0) < 2 and \
            thread.is_alive():
        pass
    since = len(proxy["errors"])
    proxy["proc"].send_signal(signal.SIGTERM)
    wait_said(proxy, "stopping:", since)
    idle_closed = idle.sock.recv(1) == b""
    idle.close()
    try:
        socket.create_connection(("127.0.0.1", proxy["port"]), timeout=60)
        refused = False
    except ConnectionRefusedError:
        refused = True
    thread.join(timeout=READY_TIMEOUT)
    status, connection, doc = slow.get("reply", (None, None, None))
    if idle_closed and refused and status == 200 and doc["ok"] and \
            connection == "close":
        ok("SIGTERM: nothing new taken, the call in flight answered")
    else:
        not_ok("graceful stop", f"idle closed {idle_closed}, refused "
               f"{refused}, call {status} {connection} {doc}")


def check_raw_http(proxy):
    """HTTP as clients write it beyond http.client's defaults: a chunked
    body is decoded, and a request that is not HTTP gets the canonical
    error envelope with its request id, then the close, and is counted
    under its code."""
    text = raw_exchange(proxy, (
        b"POST /v1/capabilities/get_order_status HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
        b"8\r\n{\"order_\r\nc;x=y\r\nid\":\"A1001\"}\r\n0\r\n\r\n"))
    if text.startswith("HTTP/1.1 200 OK\r\n") and '"order_id":"A1001"' in text:
        ok("chunked request body decoded")
    else:
        not_ok("chunked request body", text[:600])
    text = raw_exchange(proxy, b"GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n")
    head, _, body = text.partition("\r\n\r\n")
    try:
        doc = json.loads(body)
    except ValueError:
        doc = {}
    if head.startswith("HTTP/1.1 400 Bad Request\r\n") and \
            "\r\nX-Request-Id: " in head and \
            "\r\nConnection: close" in head and \
            doc.get("error", {}).get("code") == "bad_request" and \
            "'Bad Header'" in doc["error"].get("message", ""):
        ok("malformed HTTP answered with the canonical 400")
    else:
        not_ok("malformed HTTP", text[:600])
    conn = http.client.HTTPConnection("127.0.0.1", proxy["port"], timeout=60)
    conn.request("GET", "/metrics")
    metrics = conn.getresponse().read().decode()
    conn.close()
    series = 'soapbridge_requests_total{capability="",outcome="bad_request"} 1'
    if series in metrics.splitlines():
        ok("malformed HTTP counted by its error code")
    else:
        not_ok("malformed HTTP counted", series)


def make_certificate(work):
    """A new self-signed certificate for 127.0.0.1 as work/server.pem and
    its key as work/server.key."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", os.path.join(work, "server.key"),
                    "-out", os.path.join(work, "server.pem")],
                   check=True, capture_output=True)


def https_get(proxy, cafile, path):
    context = ssl.create_default_context(cafile=cafile)
    conn = http.client.HTTPSConnection("127.0.0.1", proxy["port"],
                                       timeout=60, context=context)
    try:
        conn.request("GET", path)
        res = conn.getresponse()
        return res.status, res.read().decode()
    finally:
        conn.close()


def check_certificate_rotation(proxy, work):
    """A reload reads the listener's certificate and key again: once the
    files are replaced and SIGHUP sent, new connections get the new
    certificate (a client trusting only the old one is refused)."""
    old = os.path.join(work, "old.pem")
    os.rename(os.path.join(work, "server.pem"), old)
    make_certificate(work)
    since = len(proxy["errors"])
    proxy["proc"].send_signal(signal.SIGHUP)
    line = wait_said(proxy, " serves", since)
    status, _ = https_get(proxy, os.path.join(work, "server.pem"), "/healthz")
    try:
        https_get(proxy, old, "/healthz")
        old_refused = False
    except ssl.SSLCertVerificationError:
        old_refused = True
    if "configuration 2 serves" in line and status == 200 and old_refused:
        ok("reload: a rotated TLS certificate serves new connections")
    else:
        not_ok("reload: TLS certificate", f"{line}; status {status}, old "
               f"certificate refused {old_refused}")


def start_secure_proxy(env, work):
    """A configuration of its own: TLS on the listener, and the billing
    service (the garbage server) reached with HTTP Basic and WS-Security
    credentials from the environment and a file."""
    for folder in ("wsdl", "mappings", "xslt"):
        os.symlink(os.path.join(SRC, folder), os.path.join(work, folder))
    make_certificate(work)
    with open(os.path.join(work, "soapbridge.yaml"), "w") as f:
        f.write(SECURE_CONFIG)
    with open(os.path.join(work, "ws-secret"), "w") as f:
        f.write("wss-s3cret\n")
    env = dict(env, BILLING_PASSWORD="basic-s3cret")
    return start_proxy("secure proxy", ["-c", work], env, listen=False)


def check_secure(proxy, work):
    """HTTPS to the listener, verified against the test certificate; the
    upstream call carries the Basic credentials and a UsernameToken with
    a password digest (never the password itself)."""
    context = ssl.create_default_context(
        cafile=os.path.join(work, "server.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy["port"],
                                       timeout=60, context=context)
    conn.request("POST", "/v1/capabilities/get_invoice",
                 body=b'{"invoice_id":"RE2026-00815"}',
                 headers={"Content-Type": "application/json",
                          "X-Request-Id": "secure-1"})
    res = conn.getresponse()
    text = res.read().decode()
    sock = conn.sock
    if res.status == 502 and "upstream_bad_response" in text:
        ok("HTTPS listener answers with the canonical envelope")
    else:
        not_ok("HTTPS listener", f"status {res.status}: {text[:200]}")
    conn.request("GET", "/healthz")
    res = conn.getresponse()
    text = res.read().decode()
    if res.status == 200 and conn.sock is sock and '"ok"' in text:
        ok("HTTPS connection kept alive for the next request")
    else:
        not_ok("HTTPS keep-alive", f"status {res.status}: {text[:200]}")
    conn.close()
    seen = [h for h in GarbageHandler.seen
            if h.get("X-Request-Id") == "secure-1"]
    body = seen[0]["body"] if seen else ""
    auth = seen[0].get("Authorization", "") if seen else ""
    if auth != "Basic ZXJwOmJhc2ljLXMzY3JldA==":
        not_ok("upstream Basic credentials from the environment",
               f"Authorization '{auth}'")
    else:
        ok("upstream Basic credentials from the environment")
    if "<wsse:Username>bot</wsse:Username>" in body and \
            "#PasswordDigest" in body and "wss-s3cret" not in body:
        ok("WS-Security UsernameToken with a digest of the file's secret")
    else:
        not_ok("WS-Security UsernameToken", body[:400])


def check_descriptor_warning(proxy):
    """A descriptor limit too low for limits.max_connections is said at
    start, and the proxy serves anyway."""
    text = "".join(proxy["errors"])
    if re.search(r"^soapbridge: warning: at most \d+ descriptors may be "
                 r"open .*limits\.max_connections \(10000\)", text, re.M):
        ok("a descriptor limit too low is said at start")
    else:
        not_ok("descriptor limit warning", text[-1000:])


def check_error_log(proxy):
    """Upstream trouble is logged on stderr with the request id; a
    client's own mistake is not."""
    text = "".join(proxy["errors"])
    want = re.search(r"^soapbridge: warn [0-9a-f]+: get_order_status: "
                     r"upstream_timeout: ", text, re.M)
    if want and "invalid_input" not in text:
        ok("upstream failures logged with their request id")
    else:
        not_ok("error log", text[-1500:])


def check_access_log(proxy):
    """Every line of the access log is one JSON object with its fields."""
    lines = [l for l in "".join(proxy["log"]).splitlines() if l.strip()]
    bad = []
    for line in lines:
        try:
            entry = json.loads(line)
            for key in ("time", "request_id", "status", "duration_ms"):
                if key not in entry:
                    bad.append(f"no {key}: {line}")
        except ValueError:
            bad.append(line)
    if not lines:
        not_ok("access log", "no lines")
    elif bad:
        not_ok("access log", "; ".join(bad[:3]))
    else:
        ok(f"access log ({len(lines)} JSON lines)")


def main():
    garbage = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                              GarbageHandler)
    threading.Thread(target=garbage.serve_forever, daemon=True).start()
    services = {}
    proxies = {}
    work = tempfile.mkdtemp()
    try:
        env = dict(os.environ)
        for service in SERVICES:
            services[service] = start_service(service)
            env[SERVICES[service][2]] = services[service][1]
        env["SHIPPING_TIMEOUT_MS"] = "1500"
        proxies["demo"] = start_proxy("demo proxy", ["-c", SRC], env)
        check_connections_shared(proxies["demo"])
        garbage_url = f"http://127.0.0.1:{garbage.server_port}/billing"
        proxies["broken"] = start_proxy(
            "broken proxy",
            ["-c", SRC, "--endpoint", f"BillingService={garbage_url}",
             "--endpoint", f"SalesService=http://127.0.0.1:{free_port()}/x"],
            env)
        # No configuration file: the WSDLs alone, on the embedded
        # defaults; with too few descriptors for them.
        proxies["wsdl"] = start_proxy(
            "wsdl-only proxy",
            ["--wsdl", os.path.join(SRC, "wsdl"), "--endpoint",
             f"ShippingService={services['ShippingService'][1]}"], env,
            max_files=512)
        check_descriptor_warning(proxies["wsdl"])
        cases = os.path.join(SRC, "tests/integration/cases")
        for case in sorted(os.listdir(cases)):
            run_case(os.path.join(cases, case), proxies, services)
        check_trace_passed_on()
        check_pipelined(proxies["demo"])
        check_raw_http(proxies["demo"])
        env["GARBAGE_URL"] = garbage_url
        proxies["secure"] = start_secure_proxy(env, work)
        check_secure(proxies["secure"], work)
        check_certificate_rotation(proxies["secure"], work)
        reload_work = os.path.join(work, "reload")
        os.mkdir(reload_work)
        proxies["reload"] = start_reload_proxy(env, reload_work)
        check_reload(proxies["reload"], reload_work)
        check_graceful_stop(proxies["reload"])
        for name in ("demo", "broken", "secure", "wsdl", "reload"):
            proxy = proxies.pop(name)
            status = stop(name, proxy["proc"])
            if name == "demo":
                check_access_log(proxy)
                check_error_log(proxy)
            errors = "".join(proxy["errors"])
            if "runtime error:" in errors or "Sanitizer" in errors:
                not_ok(f"{name} proxy: no sanitizer report", errors[-2000:])
            elif status == 0:
                ok(f"{name} proxy stops cleanly on SIGTERM")
            else:
                not_ok(f"{name} proxy stops cleanly on SIGTERM",
                       f"exit status {status}: " +
                       "".join(proxy["errors"])[-2000:])
    except Exception as e:  # a harness failure is one failed test
        not_ok("harness", repr(e))
    finally:
        for name, proc in started:
            if proc.poll() is None:
                stop(name, proc)
        garbage.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(f"integration: {passed} passed, {failed} failed")


main()
