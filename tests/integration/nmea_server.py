#!/usr/bin/python3
"""A GPS receiver on TCP for gpsd's tcp:// source: serves a captured NMEA log.

The log's leading '#' lines are gpsd test-log metadata, not NMEA: they are
skipped. Sentences are grouped into epochs (a new epoch starts at each GGA,
the first sentence the receiver emits per fix) and one epoch is written per
--interval seconds, looping over the log, so a client sees a receiver
reporting at its own pace. Every connection gets its own copy of the stream
from the first epoch.

Control (so a test can make the receiver go quiet without closing sockets):
  SIGUSR1  pause: keep connections open, send nothing
  SIGUSR2  resume
  SIGTERM  exit (connections closed)

usage: nmea_server.py LOG PORT [--interval S] [--once]
"""
import argparse
import signal
import socket
import sys
import threading
import time

paused = threading.Event()


def load_epochs(path):
    epochs, cur = [], []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            if line[3:6] == b"GGA" and cur:
                epochs.append(cur)
                cur = []
            cur.append(line + b"\r\n")
    if cur:
        epochs.append(cur)
    return epochs


def serve(conn, epochs, interval, once):
    try:
        while True:
            for epoch in epochs:
                while paused.is_set():
                    time.sleep(0.05)
                conn.sendall(b"".join(epoch))
                time.sleep(interval)
            if once:
                return
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("port", type=int)
    ap.add_argument("--interval", type=float, default=1.0,
                    help="seconds between epochs (default 1, as the receiver)")
    ap.add_argument("--once", action="store_true", help="serve the log once, then close")
    args = ap.parse_args()

    epochs = load_epochs(args.log)
    if not epochs:
        sys.exit("no NMEA sentences in " + args.log)
    signal.signal(signal.SIGUSR1, lambda *_: paused.set())
    signal.signal(signal.SIGUSR2, lambda *_: paused.clear())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(8)
    print("nmea_server: %d epochs on port %d" % (len(epochs), args.port), flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, epochs, args.interval, args.once),
                         daemon=True).start()


if __name__ == "__main__":
    main()
