#!/usr/bin/env python3
"""bench/mixed_latency.py: latency of a lifecycle stage move next to the
client's own floor, from one keep-alive connection: each round sends
GET /healthz, GET /api/v1/contacts/{random id} and PATCH
/api/v1/contacts/{random id} {"lifecycle_stage": random}, 5 ms apart
(about 65 requests/s of each), and prints p50/p90/p99/max per kind.
The /healthz line is what the client and HTTP cost alone.

usage: bench/mixed_latency.py PORT TOKEN ROUNDS [MAX_CONTACT_ID]
"""
import http.client
import json
import random
import sys
import time

STAGES = ["subscriber", "lead", "marketing_qualified_lead",
          "sales_qualified_lead", "opportunity", "customer", "evangelist"]


def main():
    port, token, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    maxid = int(sys.argv[4]) if len(sys.argv) > 4 else 1000000
    conn = http.client.HTTPConnection("127.0.0.1", port)
    head = {"Authorization": "Bearer " + token,
            "Content-Type": "application/json"}
    lat = {"healthz": [], "contact_get": [], "stage_move": []}
    rnd = random.Random(2)
    for _ in range(rounds):
        for kind in lat:
            cid = rnd.randint(1, maxid)
            t = time.perf_counter()
            if kind == "healthz":
                conn.request("GET", "/healthz")
            elif kind == "contact_get":
                conn.request("GET", "/api/v1/contacts/%d" % cid, headers=head)
            else:
                body = json.dumps({"lifecycle_stage": rnd.choice(STAGES)})
                conn.request("PATCH", "/api/v1/contacts/%d" % cid,
                             body=body, headers=head)
            resp = conn.getresponse()
            resp.read()
            lat[kind].append((time.perf_counter() - t) * 1000)
            time.sleep(0.005)
    for kind, v in lat.items():
        v.sort()
        q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
        print("mixed_%s n=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms"
              % (kind, len(v), q(.5), q(.9), q(.99), v[-1]))


if __name__ == "__main__":
    main()
