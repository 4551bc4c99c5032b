#!/usr/bin/env python3
"""bench/paced_stage.py: moves random contacts to random lifecycle stages
(PATCH /api/v1/contacts/{id}) at a fixed rate over one keep-alive
connection and prints the latency distribution, as a business's steady
load sees it (wrk only measures at saturation).

usage: bench/paced_stage.py PORT TOKEN RATE SECONDS MAX_ID
prints: paced n=… rate=…/s p50=…ms p90=…ms p99=…ms max=…ms
The figures include this Python client's own time (~0.3-1 ms a request
on the project machine), so they are an upper bound."""
import http.client
import json
import random
import sys
import time

STAGES = ["subscriber", "lead", "marketing_qualified_lead",
          "sales_qualified_lead", "opportunity", "customer", "evangelist"]


def main():
    port, token = int(sys.argv[1]), sys.argv[2]
    rate, secs, max_id = float(sys.argv[3]), float(sys.argv[4]), \
        int(sys.argv[5])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": "Bearer " + token,
               "Content-Type": "application/json"}
    lat = []
    end = time.monotonic() + secs
    due = time.monotonic()
    while time.monotonic() < end:
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        due += 1.0 / rate
        body = json.dumps({"lifecycle_stage": random.choice(STAGES)})
        t0 = time.perf_counter()
        conn.request("PATCH", "/api/v1/contacts/%d" %
                     random.randint(1, max_id), body, headers)
        r = conn.getresponse()
        r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            sys.exit("PATCH answered %d" % r.status)
    lat.sort()
    n = len(lat)
    print("paced n=%d rate=%g/s p50=%.2fms p90=%.2fms p99=%.2fms "
          "max=%.2fms" % (n, rate, lat[n // 2], lat[int(n * 0.9)],
                          lat[int(n * 0.99)], lat[-1]))


if __name__ == "__main__":
    main()
