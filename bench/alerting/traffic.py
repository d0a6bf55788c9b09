"""Steady traffic for bench/alerting/run.sh: RATE requests per second in total, spread evenly over the given paths in
turn (keep-alive connections, one worker thread per path), for at most SECONDS or until SIGTERM. Prints, at the end,
one line per path and status: "path status count".
Usage: python3 traffic.py BASE_URL RATE SECONDS PATH...   (e.g. http://127.0.0.1:5000 20 400 /api/v1/campuses /signin)"""
import http.client
import signal
import sys
import threading
import time
import urllib.parse
from collections import Counter

base, rate, seconds, paths = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
url = urllib.parse.urlsplit(base)
stop = threading.Event()
counts = Counter()
lock = threading.Lock()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
end = time.monotonic() + seconds


def worker(path, period, offset):
    connection = None
    due = time.monotonic() + offset
    while not stop.is_set() and due < end:
        wait = due - time.monotonic()
        if wait > 0 and stop.wait(wait):
            break
        due += period
        try:
            if connection is None:
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            if connection is not None:
                connection.close()
            connection = None
        with lock:
            counts[(path, status)] += 1
        if time.monotonic() - due > 5:
            due = time.monotonic()  # fell far behind (a stalled server): do not burst to catch up


period = len(paths) / rate
threads = [threading.Thread(target=worker, args=(p, period, i * period / len(paths)), daemon=True) for i, p in enumerate(paths)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for (path, status), n in sorted(counts.items()):
    print(f"{path} {status} {n}")
