#!/usr/bin/python3
"""Extra peers for the probe lab test, run in the lab's inet namespace.

  UDP 5353  DNS: one socket per target address, so each reply leaves from the address
            the query was sent to, as a real resolver's does (the lab's port-53 server
            answers from the transit address, which a careful client rejects).
            Answers A/AAAA like the lab's server; other types NOERROR, no answer;
            the name "servfail.test" gets SERVFAIL, "garbage.test" a malformed reply.
  TCP 443   HTTPS (self-signed certificate from CERT/KEY): HEAD / -> 200,
            /generate_204 -> 204, /redirect -> 302, anything else 404.

usage: probe_peers.py READY_FILE CERT KEY ADDR...
Writes READY_FILE once every socket listens. Standard library only.
"""
import http.server
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading

A_ANSWER = socket.inet_pton(socket.AF_INET, "198.51.100.1")
AAAA_ANSWER = socket.inet_pton(socket.AF_INET6, "2001:db8:ffff::1")


def qname_of(query, end):
    labels, pos = [], 12
    while pos < end and query[pos]:
        labels.append(query[pos + 1:pos + 1 + query[pos]].decode("ascii", "replace"))
        pos += 1 + query[pos]
    return ".".join(labels).lower()


def dns_answer(query):
    if len(query) < 12:
        return None
    qid, flags, qd, _an, _ns, _ar = struct.unpack("!6H", query[:12])
    if flags & 0x8000 or qd != 1:
        return None
    pos = 12
    while pos < len(query) and query[pos] != 0:
        if query[pos] & 0xC0:
            return None
        pos += 1 + query[pos]
    pos += 1
    if pos + 4 > len(query):
        return None
    name = qname_of(query, pos)
    qtype, qclass = struct.unpack("!HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    if name == "garbage.test":
        # claims one answer that is not there: malformed, must be ignored
        return struct.pack("!6H", qid, 0x8180, 1, 1, 0, 0) + question
    rcode = 2 if name == "servfail.test" else 0
    answers, count = b"", 0
    if rcode == 0 and qclass == 1 and qtype in (1, 28):
        rdata = A_ANSWER if qtype == 1 else AAAA_ANSWER
        answers = struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
        count = 1
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode
    return struct.pack("!6H", qid, rflags, 1, count, 0, 0) + question + answers


def dns_loop(socks):
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            try:
                data, peer = s.recvfrom(4096)
            except OSError:
                continue
            resp = dns_answer(data)
            if resp:
                s.sendto(resp, peer)


class Web(http.server.BaseHTTPRequestHandler):
    server_version = "probe-peer/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_HEAD(self):
        path = self.path.split("?", 1)[0]
        code = {"/": 200, "/generate_204": 204, "/redirect": 302}.get(path, 404)
        self.send_response(code)
        if code == 302:
            self.send_header("Location", "http://portal.invalid/")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()


class TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, addr, handler, ctx):
        self.ctx = ctx
        super().__init__(addr, handler)

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def finish_request(self, request, client_address):
        # the handshake runs in the connection's thread, not the accept loop
        try:
            request.settimeout(10)
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass


def main():
    ready, cert, key, addrs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    socks = []
    for a in addrs:
        fam = socket.AF_INET6 if ":" in a else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((a, 5353))
        socks.append(s)
    threading.Thread(target=dns_loop, args=(socks,), daemon=True).start()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = TLSServer(("::", 443), Web, ctx)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(ready + ".tmp", ready)
    threading.Event().wait()


if __name__ == "__main__":
    main()
