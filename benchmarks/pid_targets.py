"""Makes N published records with a DOI on Vellum or on the Invenio peer and writes the resolver's targets.

usage: pid_targets.py BASE_URL N OUT_PREFIX [--vellum TOKEN] [--concurrency 8]

Vellum (api.md §7, §8; the daemon started with VELLUM_DOI_PREFIX): POST /records {"metadata": ..., "files":
{"enabled": false}} then POST /records/{id}/publish; the DOI is the published record's pids.doi.identifier.
Invenio (benchmarks/peers/invenio-records-rest/benchapp.py): POST /records/ mints the recid and the registered DOI
10.5072/invenio.{recid} in the same transaction; that it exists and leads to the record is checked below.

Writes OUT_PREFIX-recid.tsv (`/pid/recid/{id}`) and OUT_PREFIX-doi.tsv (`/doi/{doi}`), one `path<TAB>Location`
line per record, Location being `{BASE}/records/{id}`: what resolve.lua asks and expects. Before writing, every
target is requested once (no redirect followed) and must answer 302 with exactly that Location, and an unknown
recid and DOI must answer 404; anything else exits 1. Standard library only.
"""

import argparse
import http.client
import json
import sys
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

RECORD = {"creators": [{"name": "Ada Lovelace"}], "publication_date": "2024", "resource_type": "dataset"}

_local = threading.local()


def connection(base):
    conn = getattr(_local, "conn", None)
    if conn is None:
        url = urllib.parse.urlsplit(base)
        conn = _local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    return conn


def call(base, method, path, headers=None, body=None):
    """One request (a new connection if the server closed the last one); returns status, headers, body."""
    for attempt in (0, 1):
        conn = connection(base)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
            return resp.status, resp, data
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            _local.conn = None
            if attempt:
                raise


def make_vellum(base, token, i):
    auth = {"Authorization": f"Bearer {token}"}
    body = {"metadata": dict(RECORD, title=f"Resolver record {i}"), "files": {"enabled": False}}
    status, _, data = call(base, "POST", "/records", dict(auth, **{"Content-Type": "application/json"}), json.dumps(body))
    if status != 201:
        sys.exit(f"create {i}: {status} {data[:300]!r}")
    rid = json.loads(data)["id"]
    status, _, data = call(base, "POST", f"/records/{rid}/publish", auth)
    if status != 200:
        sys.exit(f"publish {rid}: {status} {data[:300]!r}")
    published = json.loads(data)
    doi = ((published.get("pids") or {}).get("doi") or {}).get("identifier")
    if published.get("status") != "published" or not doi:
        sys.exit(f"publish {rid}: not published with a DOI (is VELLUM_DOI_PREFIX set?): {data[:300]!r}")
    return str(rid), doi


def make_invenio(base, i):
    body = dict(RECORD, title=f"Resolver record {i}")
    status, _, data = call(base, "POST", "/records/", {"Content-Type": "application/json"}, json.dumps(body))
    if status != 201:
        sys.exit(f"create {i}: {status} {data[:300]!r}")
    rid = json.loads(data)["id"]
    return str(rid), f"10.5072/invenio.{rid}"


def check(base, path, location):
    status, resp, data = call(base, "GET", path)
    got = resp.getheader("Location")
    if status != 302 or got != location:
        sys.exit(f"GET {path}: {status} Location {got!r}, expected 302 {location!r}: {data[:200]!r}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("n", type=int)
    p.add_argument("out_prefix")
    p.add_argument("--vellum", metavar="TOKEN")
    p.add_argument("--concurrency", type=int, default=8)
    a = p.parse_args()
    base = a.base.rstrip("/")

    make = (lambda i: make_vellum(base, a.vellum, i)) if a.vellum else (lambda i: make_invenio(base, i))
    with ThreadPoolExecutor(a.concurrency) as pool:
        records = list(pool.map(make, range(a.n)))
    if len({rid for rid, _ in records}) != a.n or len({doi for _, doi in records}) != a.n:
        sys.exit("ids or DOIs given twice")

    targets = {
        "recid": [(f"/pid/recid/{rid}", f"{base}/records/{rid}") for rid, _ in records],
        "doi": [(f"/doi/{doi}", f"{base}/records/{rid}") for rid, doi in records],
    }
    with ThreadPoolExecutor(a.concurrency) as pool:
        for kind in targets:
            list(pool.map(lambda t: check(base, *t), targets[kind]))
    for path in ("/pid/recid/999999999", "/doi/10.5072/no-such-doi"):
        status, _, data = call(base, "GET", path)
        if status != 404:
            sys.exit(f"GET {path}: {status}, expected 404: {data[:200]!r}")
    for kind, lines in targets.items():
        with open(f"{a.out_prefix}-{kind}.tsv", "w") as f:
            f.writelines(f"{path}\t{location}\n" for path, location in lines)
    print(f"# {a.n} records, {2 * a.n} targets checked (302, Location), unknown recid and DOI 404", file=sys.stderr)


if __name__ == "__main__":
    main()
