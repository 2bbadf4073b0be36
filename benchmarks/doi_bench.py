#!/usr/bin/env python3
"""DOI registration timings on a running daemon with a DOI prefix and DataCite (stand-in) configured; prints
`name: value unit` lines (benchmarks/dois.sh)."""
import argparse
import json
import statistics
import threading
import time
import urllib.request

METADATA = {"title": "Benchmark record", "creators": [{"name": "Lovelace, Ada"}], "publication_date": "2024-05-01",
            "resource_type": "dataset"}


def call(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def publish(base, token):
    record = call(base, token, "POST", "/records", {"metadata": METADATA, "files": {"enabled": False}})
    call(base, token, "POST", f"/records/{record['id']}/publish")
    return record["id"]


def registered(base, token, record_id):
    pids = call(base, token, "GET", f"/records/{record_id}")["pids"]
    return all(pids.get(name, {}).get("status") == "registered" for name in ("doi", "concept_doi"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--latency", type=int, default=20)
    parser.add_argument("--count", type=int, default=300)
    a = parser.parse_args()

    latencies = []
    for _ in range(a.latency):
        record_id = publish(a.base, a.token)
        start = time.perf_counter()
        while not registered(a.base, a.token, record_id):
            time.sleep(0.005)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    print(f"doi_publish_to_registered_p50: {statistics.median(latencies):.1f} ms")
    print(f"doi_publish_to_registered_p99: {latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]:.1f} ms")

    ids, lock = [], threading.Lock()
    def client(n):
        for _ in range(n):
            record_id = publish(a.base, a.token)
            with lock:
                ids.append(record_id)
    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(a.count // 8,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    published = time.perf_counter()
    pending = list(ids)
    while pending:
        pending = [i for i in pending if not registered(a.base, a.token, i)]
        if pending:
            time.sleep(0.02)
    done = time.perf_counter()
    print(f"publish_rate_with_dois: {len(ids) / (published - start):.1f} records/s")
    print(f"dois_registered_per_second: {2 * len(ids) / (done - start):.1f} DOIs/s")


if __name__ == "__main__":
    main()
