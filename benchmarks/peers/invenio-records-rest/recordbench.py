"""Records benchmark client for invenio-records-rest (see README.md).

usage: recordbench.py BASE_URL [--n 1000] [--concurrency 8] [--warmup 16] [--vellum TOKEN]

With --vellum, the same client measures Vellum's records API (api.md §7) the same
way: create is POST /records {"metadata": <the record>, "files": {"enabled":
false}} (ETag "1"), patch addresses /metadata/title (ETag "2"), and the fourth
phase is the real publish, POST /records/<id>/publish with If-Match (ETag "3":
strict validation, the bucket locked, the concept's latest version), where
Invenio's is a whole PUT. A Bearer token goes with every request.

Untimed first: probes that prove the setup is real (an invalid record -> 400,
an unknown id -> 404, a stale If-Match -> 412) and WARMUP records taken
through all four operations, so that both gunicorn workers are warm. Then four
timed phases over N new records, each with CONCURRENCY threads (one
requests.Session, i.e. one kept-alive connection, per thread), record i
handled by one request per phase:

  create : POST /records/ with the JSON record below       -> 201, Location
  get    : GET  /records/<id>                              -> 200, ETag "0"
  patch  : PATCH /records/<id>, If-Match: <ETag from get>,
           application/json-patch+json, replace /title     -> 200, ETag "1"
  put    : PUT /records/<id>, If-Match: <ETag from patch>,
           the whole record with a new title ("publish"
           equivalent: strict validation, new revision)    -> 200, ETag "2"

The rate is N / the phase's wall time (first request sent to last answer
read); p50/p99 are per-request latencies; client_cpu is this process's CPU
time during the phase (it shares the 2 cores with the server).
Every answer is checked (status, ETag, id, title, Location) inside the timed
request; any failure makes the script exit 1 after printing what failed.
Afterwards every record is read back (untimed) and must carry the PUT title.
Prints `name: value unit` lines on stdout.
"""

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

JSON = {"Content-Type": "application/json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def record(i):
    return {
        "title": f"Benchmark record {i}",
        "creators": [{"name": "Ada Lovelace"}],
        "publication_date": "2024-05-01",
        "resource_type": "dataset",
    }


def pct(sorted_vals, p):
    k = (len(sorted_vals) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


_local = threading.local()


TOKEN = None  # Vellum's Bearer token (--vellum)


def session():
    s = getattr(_local, "s", None)
    if s is None:
        s = _local.s = requests.Session()
        if TOKEN:
            s.headers["Authorization"] = f"Bearer {TOKEN}"
    return s


class Check(Exception):
    pass


def expect(r, status, etag=None, title=None, rid=None):
    if r.status_code != status:
        raise Check(f"{r.request.method} {r.url}: status {r.status_code} (want {status}) {r.text[:200]!r}")
    if etag is not None and r.headers.get("ETag") != etag:
        raise Check(f"{r.request.method} {r.url}: ETag {r.headers.get('ETag')!r} (want {etag!r})")
    if title is None:
        return None
    body = r.json()
    if body.get("metadata", {}).get("title") != title or (rid is not None and body.get("id") != rid):
        raise Check(f"{r.request.method} {r.url}: body {json.dumps(body)[:300]}")
    return body


class Bench:
    def __init__(self, base, offset):
        self.base = base.rstrip("/")
        self.offset = offset  # record i gets the title "... {offset + i}": unique across phases
        self.ids, self.etags, self.bodies = {}, {}, {}

    def create(self, i):
        n = self.offset + i
        r = session().post(f"{self.base}/records/", data=json.dumps(record(n)), headers=JSON)
        body = expect(r, 201, '"0"', f"Benchmark record {n}")
        rid = body["id"]
        if r.headers.get("Location") != f"{self.base}/records/{rid}":
            raise Check(f"POST: Location {r.headers.get('Location')!r} for id {rid!r}")
        self.ids[i] = rid

    def get(self, i):
        rid = self.ids[i]
        r = session().get(f"{self.base}/records/{rid}")
        expect(r, 200, '"0"', f"Benchmark record {self.offset + i}", rid)
        self.etags[i] = r.headers["ETag"]

    def patch(self, i):
        rid, n = self.ids[i], self.offset + i
        op = [{"op": "replace", "path": "/title", "value": f"Patched record {n}"}]
        r = session().patch(f"{self.base}/records/{rid}", data=json.dumps(op),
                            headers={**JSON_PATCH, "If-Match": self.etags[i]})
        self.bodies[i] = expect(r, 200, '"1"', f"Patched record {n}", rid)
        self.etags[i] = r.headers["ETag"]

    def put(self, i):
        rid, n = self.ids[i], self.offset + i
        metadata = dict(self.bodies[i]["metadata"], title=f"Published record {n}")
        r = session().put(f"{self.base}/records/{rid}", data=json.dumps(metadata),
                          headers={**JSON, "If-Match": self.etags[i]})
        expect(r, 200, '"2"', f"Published record {n}", rid)

    def verify(self, i):
        rid = self.ids[i]
        r = session().get(f"{self.base}/records/{rid}")
        body = expect(r, 200, '"2"', f"Published record {self.offset + i}", rid)
        if body["metadata"].get("creators") != [{"name": "Ada Lovelace"}]:
            raise Check(f"GET {rid}: creators lost {body}")


class VellumBench(Bench):
    """The same four phases on Vellum (see the module's docstring)."""

    def create(self, i):
        n = self.offset + i
        r = session().post(f"{self.base}/records", data=json.dumps({"metadata": record(n), "files": {"enabled": False}}),
                           headers=JSON)
        body = expect(r, 201, '"1"', f"Benchmark record {n}")
        if r.headers.get("Location") != f"{self.base}/records/{body['id']}":
            raise Check(f"POST: Location {r.headers.get('Location')!r} for id {body['id']!r}")
        self.ids[i] = body["id"]

    def get(self, i):
        rid = self.ids[i]
        r = session().get(f"{self.base}/records/{rid}")
        expect(r, 200, '"1"', f"Benchmark record {self.offset + i}", rid)
        self.etags[i] = r.headers["ETag"]

    def patch(self, i):
        rid, n = self.ids[i], self.offset + i
        op = [{"op": "replace", "path": "/metadata/title", "value": f"Patched record {n}"}]
        r = session().patch(f"{self.base}/records/{rid}", data=json.dumps(op),
                            headers={**JSON_PATCH, "If-Match": self.etags[i]})
        expect(r, 200, '"2"', f"Patched record {n}", rid)
        self.etags[i] = r.headers["ETag"]

    def put(self, i):  # the publish phase
        rid, n = self.ids[i], self.offset + i
        r = session().post(f"{self.base}/records/{rid}/publish", headers={"If-Match": self.etags[i]})
        if expect(r, 200, '"3"', f"Patched record {n}", rid)["status"] != "published":
            raise Check(f"publish {rid}: not published")

    def verify(self, i):
        rid = self.ids[i]
        r = session().get(f"{self.base}/records/{rid}")
        body = expect(r, 200, '"3"', f"Patched record {self.offset + i}", rid)
        if body["status"] != "published" or body["metadata"].get("creators") != [{"name": "Ada Lovelace"}]:
            raise Check(f"GET {rid}: {body}")


def vellum_probes(base):
    """Untimed, as `probes`: values of the wrong type, an unknown id, a stale If-Match, an invalid publish."""
    s = session()
    r = s.post(f"{base}/records", data=json.dumps({"metadata": dict(record(0), creators="Ada")}), headers=JSON)
    assert r.status_code == 400 and "creators" in r.text, f"wrong type accepted: {r.status_code} {r.text[:200]}"
    assert s.get(f"{base}/records/999999999").status_code == 404
    bad = dict(record(0), resource_type="bogus")
    r = s.post(f"{base}/records", data=json.dumps({"metadata": bad, "files": {"enabled": False}}), headers=JSON)
    assert r.status_code == 201, f"create: {r.status_code} {r.text[:200]}"
    loc = r.headers["Location"]
    op = json.dumps([{"op": "replace", "path": "/metadata/title", "value": "x"}])
    assert s.patch(loc, data=op, headers={**JSON_PATCH, "If-Match": '"7"'}).status_code == 412
    r = s.post(f"{loc}/publish")
    assert r.status_code == 400 and "resource_type" in r.text, f"invalid record published: {r.status_code} {r.text[:200]}"
    assert s.get(loc).headers.get("ETag") == '"1"', "record changed by a refused publish"


def run_phase(fn, n, conc):
    lat = [0.0] * n
    errors = []

    def one(i):
        t0 = time.perf_counter()
        try:
            fn(i)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            errors.append((i, str(e) if isinstance(e, Check) else repr(e)))
        lat[i] = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=conc) as ex:
        list(ex.map(one, range(n)))
    run_phase.client_cpu = time.process_time() - c0
    return time.perf_counter() - t0, sorted(lat), errors


def probes(base):
    """Untimed: the setup validates, resolves and checks preconditions."""
    s = requests.Session()
    bad = record(0)
    del bad["creators"]
    r = s.post(f"{base}/records/", data=json.dumps(bad), headers=JSON)
    assert r.status_code == 400 and "creators" in r.text, f"invalid record accepted: {r.status_code} {r.text[:200]}"
    r = s.post(f"{base}/records/", data=json.dumps(dict(record(0), resource_type="bogus")), headers=JSON)
    assert r.status_code == 400, f"bad resource_type accepted: {r.status_code} {r.text[:200]}"
    r = s.get(f"{base}/records/999999999")
    assert r.status_code == 404, f"unknown id: {r.status_code}"
    r = s.post(f"{base}/records/", data=json.dumps(record(0)), headers=JSON)
    assert r.status_code == 201, f"create: {r.status_code} {r.text[:200]}"
    loc = r.headers["Location"]
    op = json.dumps([{"op": "replace", "path": "/title", "value": "x"}])
    r = s.patch(loc, data=op, headers={**JSON_PATCH, "If-Match": '"7"'})
    assert r.status_code == 412, f"stale If-Match on PATCH: {r.status_code}"
    op = json.dumps([{"op": "replace", "path": "/title", "value": 5}])
    r = s.patch(loc, data=op, headers={**JSON_PATCH, "If-Match": '"0"'})
    assert r.status_code == 400, f"PATCH to an invalid record: {r.status_code}"
    r = s.get(loc)
    assert r.status_code == 200 and r.headers.get("ETag") == '"0"', f"record changed by a failed PATCH: {r.text}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=16)
    ap.add_argument("--vellum", metavar="TOKEN", help="measure Vellum's records API with this token")
    a = ap.parse_args()
    base = a.base.rstrip("/")
    global TOKEN
    TOKEN = a.vellum
    kind = VellumBench if TOKEN else Bench

    (vellum_probes if TOKEN else probes)(base)
    warm = kind(base, 10_000_000)
    phases = ("create", "get", "patch", "put")
    for name in phases:
        _, _, errors = run_phase(getattr(warm, name), a.warmup, a.concurrency)
        if errors:
            sys.exit(f"warm-up {name} failed: {errors[0][1]}")

    bench = kind(base, 0)
    failed = False
    for name in phases:
        wall, lat, errors = run_phase(getattr(bench, name), a.n, a.concurrency)
        tag = f"records_{'publish' if TOKEN and name == 'put' else name}_{a.n}_c{a.concurrency}"
        print(f"{tag}_rate: {a.n / wall:.1f} requests/s")
        print(f"{tag}_p50: {pct(lat, 50) * 1000:.2f} ms")
        print(f"{tag}_p99: {pct(lat, 99) * 1000:.2f} ms")
        print(f"{tag}_client_cpu: {run_phase.client_cpu:.2f} s")
        print(f"{tag}_errors: {len(errors)} count", flush=True)
        for i, why in errors[:5]:
            print(f"#   {name} error on record {i}: {why}")
        if errors:
            failed = True
            break
    if not failed:
        _, _, errors = run_phase(bench.verify, a.n, a.concurrency)
        for i, why in errors[:5]:
            print(f"#   read-back error on record {i}: {why}")
        failed = bool(errors)
    if failed:
        sys.exit("recordbench: failures, figures not valid")


if __name__ == "__main__":
    main()
