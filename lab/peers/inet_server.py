#!/usr/bin/python3
"""The lab's "internet" services, run inside the inet namespace by lab.sh.

Answers the daemon's non-ICMP probes on every address of the namespace, IPv4 and IPv6
(dual-stack sockets bound to ::):
  TCP 7   echo            UDP 7   echo
  TCP 9   discard (RFC 863): a sink for upload measurements
  TCP 80  HTTP:  /               200 "autonomy-lab ok\n"
                 /generate_204   204 (captive-portal style check)
                 /ip             200, the client's address as seen here (shows the NAT)
                 /bytes/N        200, N bytes (N <= 1e9) for throughput measurements
  UDP 53, TCP 53  DNS:  A -> 198.51.100.1, AAAA -> 2001:db8:ffff::1 for any name;
                        other types NOERROR with no answer; TTL 60.
Writes READY_FILE once every socket listens. Standard library only.
"""
import http.server
import os
import json
import socket
import subprocess
import socketserver
import struct
import sys
import threading

A_ANSWER = socket.inet_pton(socket.AF_INET, "198.51.100.1")
AAAA_ANSWER = socket.inet_pton(socket.AF_INET6, "2001:db8:ffff::1")


def client_ip(addr):
    host = addr[0]
    return host[7:] if host.startswith("::ffff:") else host


class DualStack:
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class TCPServer(DualStack, socketserver.ThreadingTCPServer):
    pass


class UDPServer(DualStack, socketserver.ThreadingUDPServer):
    pass


class HTTPServer(DualStack, http.server.ThreadingHTTPServer):
    pass


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(30)
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    return
                self.request.sendall(data)
        except OSError:
            return


class UDPEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


class Web(http.server.BaseHTTPRequestHandler):
    server_version = "autonomy-lab/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body=b"", ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.reply(200, b"autonomy-lab ok\n")
        elif path == "/generate_204":
            self.reply(204)
        elif path == "/ip":
            self.reply(200, (client_ip(self.client_address) + "\n").encode())
        elif path.startswith("/bytes/") and path[7:].isdigit() and int(path[7:]) <= 10**9:
            n = int(path[7:])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if self.command == "HEAD":
                return
            chunk = b"\0" * 65536
            try:
                while n > 0:
                    self.wfile.write(chunk[: min(n, len(chunk))])
                    n -= len(chunk)
            except OSError:
                return
        else:
            self.reply(404, b"not found\n")


def dns_answer(query):
    """Build a response to one DNS query message, or None if it is not a query."""
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
    qtype, qclass = struct.unpack("!HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    answers = b""
    count = 0
    if qclass == 1 and qtype in (1, 28):
        rdata = A_ANSWER if qtype == 1 else AAAA_ANSWER
        answers = struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
        count = 1
    rflags = 0x8000 | (flags & 0x0100) | 0x0400 | 0x0080  # QR, RD copied, AA, RA
    return struct.pack("!6H", qid, rflags, 1, count, 0, 0) + question + answers


class Discard(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(30)
        try:
            while self.request.recv(262144):
                pass
        except OSError:
            return


class DNSUDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        resp = dns_answer(data)
        if resp:
            sock.sendto(resp, self.client_address)


class DNSTCP(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        try:
            while True:
                hdr = self.request.recv(2, socket.MSG_WAITALL)
                if len(hdr) < 2:
                    return
                (n,) = struct.unpack("!H", hdr)
                msg = self.request.recv(n, socket.MSG_WAITALL)
                resp = dns_answer(msg)
                if not resp:
                    return
                self.request.sendall(struct.pack("!H", len(resp)) + resp)
        except OSError:
            return


class UDPServer4(socketserver.ThreadingUDPServer):
    allow_reuse_address = True
    daemon_threads = True


class UDPServer6(socketserver.ThreadingUDPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True


def local_addresses():
    """The target addresses on lo. A UDP server bound to the wildcard answers
    from whatever address routing picks (the transit address), which careful
    clients reject; one socket per address answers from the address asked."""
    out = subprocess.run(["ip", "-j", "addr", "show", "dev", "lo"],
                         capture_output=True, text=True, check=True).stdout
    for ifc in json.loads(out):
        for a in ifc.get("addr_info", []):
            yield a["family"], a["local"]


def udp_servers(port, handler):
    for family, addr in local_addresses():
        cls = UDPServer6 if family == "inet6" else UDPServer4
        yield cls((addr, port), handler)


def main():
    ready = sys.argv[1] if len(sys.argv) > 1 else None
    servers = [
        TCPServer(("::", 7), Echo),
        TCPServer(("::", 9), Discard),
        HTTPServer(("::", 80), Web),
        TCPServer(("::", 53), DNSTCP),
    ]
    servers += list(udp_servers(7, UDPEcho)) + list(udp_servers(53, DNSUDP))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if ready:
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
    threading.Event().wait()


if __name__ == "__main__":
    main()
