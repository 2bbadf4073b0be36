#!/usr/bin/env python3
"""benchmarks/search.sh's client.

  search_bench.py import BASE TOKEN N      publishes N records made from this machine's Debian packages
                                           (`apt-cache dumpavail`, cycled) with 8 clients; prints the rate
  search_bench.py targets BASE OUT         writes OUT/{word,phrase,field,facets}.tsv (`path<TAB>total`, 50 each,
                                           the totals read from the daemon) and OUT/words.txt, OUT/phrases.txt
"""
import collections
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse

TYPES = ["software", "software", "dataset", "publication", "image", "audio", "video", "workflow"]
LICENSES = ["cc-by-4.0", "CC0-1.0", "MIT", "GPL-3.0-or-later", "Apache-2.0"]


def packages():
    text = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    found = []
    for stanza in text.split("\n\n"):
        fields, last = {}, ""
        for line in stanza.split("\n"):
            if line.startswith(" ") and last:
                fields[last] += " " + line.strip()
            elif ":" in line:
                last, value = line.split(":", 1)
                fields[last] = value.strip()
        if fields.get("Package") and fields.get("Description"):
            found.append(fields)
    return sorted(found, key=lambda f: f["Package"])


def record(p, n):
    size, installed = int(p.get("Size", "0") or 0), int(p.get("Installed-Size", "0") or 0)
    tags = [t.strip() for t in p.get("Tag", "").split(",") if t.strip()]
    return {
        "metadata": {
            "title": p["Description"].split(" .")[0][:300], "creators": [{"name": p.get("Maintainer", "Debian").split("<")[0].strip() or "Debian"}],
            "publication_date": f"{2000 + (installed + n) % 25:04d}-{1 + size % 12:02d}", "resource_type": TYPES[installed % len(TYPES)],
            "keywords": [p.get("Section", "misc")] + tags[:3], "license": LICENSES[size % len(LICENSES)],
            "description": p["Description"] + ". Depends: " + p.get("Depends", ""), "version": p.get("Version", "") + f"+{n}",
        },
        "files": {"enabled": False},
    }


def call(connection, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    answer = connection.getresponse()
    data = answer.read()
    if answer.status >= 300:
        raise SystemExit(f"{method} {path}: {answer.status} {data[:300]!r}")
    return json.loads(data)


def publish_all(base, token, count):
    host = urllib.parse.urlparse(base).netloc
    all_packages = packages()
    records = [record(all_packages[n % len(all_packages)], n) for n in range(count)]
    failures = []

    def lane(k):
        connection = http.client.HTTPConnection(host, timeout=60)
        try:
            for n in range(k, count, 8):
                draft = call(connection, "POST", "/records", token, records[n])
                call(connection, "POST", f"/records/{draft['id']}/publish", token)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    start = time.monotonic()
    threads = [threading.Thread(target=lane, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"import failed: {failures[0]}")
    seconds = time.monotonic() - start
    print(f"search_import_{count}_rate: {count / seconds:.1f} records/s")


def targets(base, out):
    host = urllib.parse.urlparse(base).netloc
    connection = http.client.HTTPConnection(host, timeout=60)
    first = call(connection, "GET", "/records?size=1", None)
    total = first["hits"]["total"]
    words, pairs = collections.Counter(), collections.Counter()
    for n in range(1, 30):  # a sample of titles: the first 2,900 records
        hits = call(connection, "GET", f"/records?size=100&sort=oldest&page={n}", None)["hits"]["hits"]
        for hit in hits:
            title = [w for w in re.findall(r"\w+", hit["metadata"]["title"].lower()) if w.isalpha() and len(w) >= 4]
            words.update(set(title))
            pairs.update(set(zip(title, title[1:])))
    chosen_words = [w for w, c in words.most_common() if c >= 5][10:60]
    chosen_pairs = [f"{a} {b}" for (a, b), c in pairs.most_common() if c >= 3][:50]
    queries = {
        "word": [f"q={urllib.parse.quote(w)}" for w in chosen_words],
        "phrase": [f"q={urllib.parse.quote(chr(34) + p + chr(34))}" for p in chosen_pairs],
        "field": [f"q=title:{urllib.parse.quote(w)}" for w in chosen_words],
        "facets": [f"q={urllib.parse.quote(w)}&resource_type=software&license=mit" for w in chosen_words],
    }
    for kind, items in queries.items():
        with open(f"{out}/{kind}.tsv", "w") as f:
            for query in items:
                path = "/records?" + query
                f.write(f"{path}\t{call(connection, 'GET', path, None)['hits']['total']}\n")
    with open(f"{out}/words.txt", "w") as f:
        f.write("\n".join(chosen_words) + "\n")
    with open(f"{out}/phrases.txt", "w") as f:
        f.write("\n".join(chosen_pairs) + "\n")
    print(f"# {total} records; {len(chosen_words)} words, {len(chosen_pairs)} phrases", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "import":
        publish_all(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        targets(sys.argv[2], sys.argv[3])
