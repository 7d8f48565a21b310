#!/usr/bin/python3
"""Something on gpsd's port that is not gpsd: for run-gps.sh.

Each connection gets, without reading what the client sends: a real gpsd
VERSION line (so the client takes it for gpsd), then for --blast seconds
as fast as the socket takes it a mix of random bytes, 100 KB lines without
a newline, NULs, truncated and mistyped gpsd objects, deep nesting, TPVs
with impossible positions; then the same mix slowly, forever. Nothing in it
is a valid fix. Random data is seeded per connection (reproducible).
--pure: nothing that parses as a gpsd report at all (no VERSION, no
mistyped-but-well-formed objects): a service that is not gpsd.

usage: gps_garbage_server.py PORT [--blast S] [--pure]
"""
import argparse
import random
import signal
import socket
import sys
import threading
import time

VERSION = b'{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\r\n'
# well-formed reports that carry no fix
REPORTS = [
    b'{"class":"TPV","mode":3,"lat":91.5,"lon":175.3}\n',
    b'{"class":"TPV","mode":"3","lat":"-37.78","lon":"175.31"}\n',
    b'{"class":"TPV","mode":3,"lat":NaN,"lon":Infinity}\n',
    b'{"class":"\xc3\x28"}\r\n',     # not UTF-8: json-c does not check
]
# not reports at all
JUNK = [
    b'{"class":"TPV","mode":3,"lat":-37.7\x00,"lon":175.3}\n',
    b'{"class":"TPV","mode":3,"lat":-37.78,"lon":',
    b'{"class":"SKY","satellites":' + b'[' * 5000 + b'\n',
    b'{"class":"DEVICES","devices":[{"path":' + b'"x' * 3000 + b'"}]}\n',
    b'{"class":"TPV","mode":1}{"class":"TPV","mode":3,"lat":1,"lon":2}\n',
    b'\xff\xfe\xfd{"class":"\xc3\x28"}\r\n',
    b'\r\r\r\n\n\n',
]


def chunk(rng, pure):
    k = rng.randrange(4)
    if k == 0:
        # random bytes never end in a newline: a report after them is junk too
        return rng.randbytes(rng.randrange(1, 4096)) + b"\n"
    if k == 1:
        return b"A" * 100000          # no newline: must be dropped and resynced
    return rng.choice(JUNK if pure else JUNK + REPORTS)


def serve(conn, seed, blast, pure):
    rng = random.Random(seed)
    t0 = time.monotonic()
    try:
        if not pure:
            conn.sendall(VERSION)
        while True:
            conn.sendall(chunk(rng, pure))
            if time.monotonic() - t0 > blast:
                time.sleep(0.02)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--blast", type=float, default=2.0)
    ap.add_argument("--pure", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(8)
    print("gps_garbage_server: port %d" % args.port, flush=True)
    seed = 35000
    while True:
        conn, _ = srv.accept()
        seed += 1
        threading.Thread(target=serve, args=(conn, seed, args.blast, args.pure), daemon=True).start()


if __name__ == "__main__":
    main()
