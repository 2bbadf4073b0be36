"""Publishing the 100th version of a record with 1,000 files, against publishing the first (issue 18's target:
within 2x). Usage: record_versions.py BASE TOKEN [VERSIONS] [FILES]. Prints `name: value unit` lines.

The first version's draft gets FILES small files (PUT, one connection); then, VERSIONS - 1 times, a new version
(its bucket shares the previous files: no byte is copied) with one more file of its own, published. Each publish
and each new version is timed alone (one request on a kept-alive connection, time to the whole answer); every
answer is checked (status, record status, file count), so a broken setup cannot give fast fake figures."""

import http.client
import json
import statistics
import sys
import time
import urllib.parse

base, token = sys.argv[1], sys.argv[2]
versions = int(sys.argv[3]) if len(sys.argv) > 3 else 100
files = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
auth = {"Authorization": f"Bearer {token}"}
metadata = {"title": "A record of many versions", "creators": [{"name": "Ada Lovelace"}], "publication_date": "2024",
            "resource_type": "dataset"}


def call(method, path, body=None, expect=(200,), headers=None):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    start = time.perf_counter()
    conn.request(method, path, body=data, headers={**auth, **(headers or {})})
    reply = conn.getresponse()
    payload = reply.read()
    elapsed = time.perf_counter() - start
    if reply.status not in expect:
        sys.exit(f"{method} {path}: {reply.status} {payload[:300]!r}")
    return (json.loads(payload) if payload and reply.getheader("Content-Type", "").startswith("application/json") else None), elapsed


def publish(record, count):
    published, elapsed = call("POST", f"/records/{record['id']}/publish")
    assert published["status"] == "published" and published["files"]["count"] == count, published
    return elapsed


draft, _ = call("POST", "/records", {"metadata": metadata}, expect=(201,))
bucket = draft["files"]["bucket"]
for n in range(files):
    call("PUT", f"/files/{bucket}/data/part-{n:05d}.csv", f"{n},{n * n}\n".encode(),
         headers={"Content-Type": "text/csv"})
publish_times = [publish(draft, files)]
version_times = []
record = draft
for index in range(2, versions + 1):
    new, elapsed = call("POST", f"/records/{record['id']}/versions", expect=(201,))
    assert new["versions"]["index"] == index and new["files"]["count"] == files + index - 2, new["files"]
    version_times.append(elapsed)
    call("PUT", f"/files/{new['files']['bucket']}/extra-{index}.txt", b"x")
    publish_times.append(publish(new, files + index - 1))
    record = new

latest, _ = call("GET", f"/records/{draft['id']}/versions")
assert latest["hits"]["total"] == versions and latest["hits"]["hits"][0]["id"] == record["id"]
ms = lambda s: f"{s * 1000:.1f}"
print(f"record_publish_v1_{files}files: {ms(publish_times[0])} ms")
print(f"record_publish_v{versions}_{files}files: {ms(publish_times[-1])} ms")
print(f"record_publish_v{versions - 9}_to_v{versions}_median: {ms(statistics.median(publish_times[-10:]))} ms")
print(f"record_publish_v{versions}_over_v1: {publish_times[-1] / publish_times[0]:.2f} x")
print(f"record_publish_last10_over_first10: {statistics.median(publish_times[-10:]) / statistics.median(publish_times[:10]):.2f} x")
print(f"record_new_version_v2_{files}files: {ms(version_times[0])} ms")
print(f"record_new_version_v{versions}_{files}files: {ms(version_times[-1])} ms")
