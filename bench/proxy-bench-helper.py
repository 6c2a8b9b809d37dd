#!/usr/bin/env python3
"""Small helpers of bench/proxy-bench.sh (standard library only).

  proxy-bench-helper.py free-ports N
      prints N distinct TCP ports of 127.0.0.1 that were free a moment ago

  proxy-bench-helper.py idle HOST PORT N
      opens N connections to HOST:PORT, sends one keep-alive
      GET /healthz on each and reads its answer, then prints
      "open N" and keeps every connection open and idle.  Each line on
      standard input is a command: "check" prints "still-open K" (how
      many the server has not closed); "close", or the end of the input,
      closes them all and exits.  Exits 1, saying why, if a connection or
      an answer fails.

  proxy-bench-helper.py soapaction WSDL OPERATION
      prints the soapAction that WSDL's SOAP binding gives OPERATION
"""
import os
import resource
import socket
import sys


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        print(" ".join(str(s.getsockname()[1]) for s in socks))
    finally:
        for s in socks:
            s.close()


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            sys.exit("idle: the open-file limit (%d) is below the %d"
                     " descriptors needed" % (hard, wanted))


def read_answer(sock, peer):
    """Reads one HTTP answer; returns its status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("%s closed the connection before answering" % peer)
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("%s closed the connection mid-answer" % peer)
            rest += chunk
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("%s closed the connection mid-answer" % peer)
            rest += chunk
    if headers.get("connection", "").lower() == "close":
        raise OSError("%s answered Connection: close to a keep-alive"
                      " request" % peer)
    return status


def still_open(socks):
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK):
                n += 1          # unexpected data, but open
        except BlockingIOError:
            n += 1
        except OSError:
            pass
        s.setblocking(True)
    return n


def idle(host, port, n):
    raise_fd_limit(n + 64)
    peer = "%s:%d" % (host, port)
    request = ("GET /healthz HTTP/1.1\r\nHost: %s\r\n"
               "Connection: keep-alive\r\n\r\n" % peer).encode()
    socks = []
    try:
        for i in range(n):
            s = socket.create_connection((host, port), timeout=10)
            socks.append(s)
            s.sendall(request)
            status = read_answer(s, peer)
            if status != 200:
                sys.exit("idle: connection %d: GET /healthz answered %d"
                         % (i + 1, status))
        print("open %d" % len(socks), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "check":
                print("still-open %d" % still_open(socks), flush=True)
            elif command == "close":
                break
    except OSError as e:
        sys.exit("idle: after %d connection(s): %s" % (len(socks), e))
    finally:
        for s in socks:
            s.close()


def soapaction(wsdl, operation):
    import xml.etree.ElementTree as ET
    ns_wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    soap_ns = ("{http://schemas.xmlsoap.org/wsdl/soap/}",
               "{http://schemas.xmlsoap.org/wsdl/soap12/}")
    root = ET.parse(wsdl).getroot()
    for binding in root.iter(ns_wsdl + "binding"):
        for op in binding.findall(ns_wsdl + "operation"):
            if op.get("name") != operation:
                continue
            for child in op:
                if (child.tag in (n + "operation" for n in soap_ns)
                        and child.get("soapAction") is not None):
                    print(child.get("soapAction"))
                    return
    sys.exit("soapaction: no soapAction for %s in %s" % (operation, wsdl))


def main(argv):
    if len(argv) == 3 and argv[1] == "free-ports":
        free_ports(int(argv[2]))
    elif len(argv) == 5 and argv[1] == "idle":
        idle(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 4 and argv[1] == "soapaction":
        soapaction(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
