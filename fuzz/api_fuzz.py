#!/usr/bin/env python3
"""Runs schemathesis against docs/openapi.yaml on a live daemon: every operation, as an admin and anonymously.

Setup (standard library only): a private, a public and a spare bucket with a few objects (a PNG for IIIF), a version
id and a multipart upload, so that generated requests reach real objects: schemathesis picks bucket ids, keys, IIIF
identifiers and parameters from those values (dictionaries, most of the time) or generates its own. PATCH and DELETE
of a bucket get the spare bucket only (a locked bucket would refuse every other write). `POST /locations` runs only
anonymously: as an admin it would create directories wherever a generated `file://` URI points.
Checks (FUZZ_ST_CHECKS, default CHECKS): no 5xx, and responses that conform to the spec (status codes, media types,
bodies, headers); "all" adds the request-side checks, which report where the spec under-states what is refused. The
daemon must answer /health afterwards.
Exit status 1 on any failure. Usage: api_fuzz.py --url URL --token ADMIN --schemathesis BIN --work DIR [--seed N]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance")


def call(url, method, path, token=None, body=None, headers=None):
    request = urllib.request.Request(url + path, data=body, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            return response.status, json.loads(data) if data[:1] in (b"{", b"[") else None
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, OSError) as e:  # no daemon
        return f"no answer ({e})", None


def setup(url, token, image):
    ids = {"versions": [], "uploads": []}
    for name, options in (("private", b"{}"), ("public", b'{"public": true}'), ("spare", b"{}")):
        status, doc = call(url, "POST", "/files", token, options)
        assert status == 200, f"POST /files: {status}"
        ids[name] = doc["id"]
    for bucket, key, body in (("private", "a.txt", b"hello world"), ("private", "dir/sub/b.bin", bytes(range(256))),
                              ("private", "caf%C3%A9.txt", b"caf\xc3\xa9"), ("public", "a.txt", b"public"),
                              ("public", "image.png", image), ("private", "image.png", image)):
        status, doc = call(url, "PUT", f"/files/{ids[bucket]}/{key}", token, body)
        assert status == 200, f"PUT {key}: {status}"
        ids["versions"].append(doc["version_id"])
    status, doc = call(url, "POST", f"/files/{ids['private']}/multi?uploads&size=10&partSize=5242880", token, b"")
    assert status == 200, f"POST ?uploads: {status}"
    ids["uploads"].append(doc["id"])
    return ids


def config(ids, token):
    """schemathesis.toml: the admin token, and dictionaries of real values for the parameters."""
    toml = lambda values: "[" + ", ".join(json.dumps(v) for v in values) + "]"
    b, p, s = ids["private"], ids["public"], ids["spare"]
    dictionaries = {
        "buckets": [b, p], "spare": [s], "keys": ["a.txt", "image.png", "dir/sub/b.bin", "café.txt", "multi", "nope"],
        "identifiers": [f"{p}:image.png", f"{b}:image.png", f"{p}:{ids['versions'][4]}:image.png", f"{p}:a.txt"],
        "versions": ids["versions"], "uploads": ids["uploads"],
        "regions": ["full", "square", "0,0,10,10", "pct:10,10,50,50", "10,10,2000,2000", "pct:0.000000000001,0,100,100"],
        "sizes": ["max", "full", "10,", ",10", "^max", "!50,50", "pct:50", "^pct:150", "^2000,2000"],
        "rotations": ["0", "90", "!180", "22.5", "360", "0.000000000001", "359.99999999999"],
        "qualities": ["default", "color", "gray", "bitonal"], "formats": ["jpg", "png", "webp", "gif", "tif", "jp2", "pdf"],
    }
    bindings = {"path.bucket": ("buckets", 0.9), "path.key": ("keys", 0.7), "path.identifier": ("identifiers", 0.8),
                "query.versionId": ("versions", 0.6), "query.uploadId": ("uploads", 0.6), "path.region": ("regions", 0.7),
                "path.size": ("sizes", 0.7), "path.rotation": ("rotations", 0.7), "path.quality": ("qualities", 0.7),
                "path.format": ("formats", 0.8)}
    lines = [f'[auth.openapi.bearer]\nbearer = "{token}"\n']
    lines += [f"[dictionaries.{name}]\nvalues = {toml(values)}\n" for name, values in dictionaries.items()]
    lines.append("[parameters]")
    lines += [f'"{k}" = {{ dictionary = "{d}", probability = {pr} }}' for k, (d, pr) in bindings.items()]
    for operation in ("updateBucket", "deleteBucket"):
        lines.append(f'\n[[operations]]\ninclude-operation-id = "{operation}"\n'
                     f'parameters = {{ "path.bucket" = {{ dictionary = "spare", probability = 1.0 }} }}')
    # 501 is documented for IIIF formats this libvips cannot write (pdf), for GET and HEAD: not a server error there.
    for operation in ("iiifImage", "iiifImageHead"):
        lines.append(f'\n[[operations]]\ninclude-operation-id = "{operation}"\n'
                     'checks = { not_a_server_error = { expected-statuses = ["1XX", "2XX", "3XX", "4XX", "501"] } }')
    return "\n".join(lines) + "\n"


def run(schemathesis, label, url, conf, args, work):
    env = dict(os.environ, SCHEMATHESIS_HOOKS=os.path.join(HERE, "schemathesis_hooks.py"))
    command = [schemathesis, "--config-file", conf, "run", os.path.join(HERE, "..", "docs", "openapi.yaml"), "--url", url,
               "--checks", os.environ.get("FUZZ_ST_CHECKS", CHECKS), "--workers", "1",
               "--request-timeout", "20", "--no-color", "--output-truncate", "true"] + args
    result = subprocess.run(command, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = result.stdout
    with open(os.path.join(work, f"schemathesis-{label}.log"), "w") as f:
        f.write(out)
    cases = re.search(r"(\d+) generated", out)
    failed = result.returncode != 0
    print(f"schemathesis ({label}): {cases.group(1) if cases else '?'} test cases, "
          + ("FAILED, exit %d" % result.returncode if failed else "no failure"))
    if failed:  # the failures and errors, with their curl reproductions
        start = min([i for i in (out.find("=== ERRORS ==="), out.find("=== FAILURES ===")) if i >= 0] or [0])
        print(out[start:][:12000] if start else out[-6000:])
    return not failed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--schemathesis", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--seed", default="1")
    p.add_argument("--examples", default=os.environ.get("FUZZ_ST_EXAMPLES", "60"))
    p.add_argument("--image", required=True)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    ids = setup(a.url, a.token, open(a.image, "rb").read())
    admin = os.path.join(a.work, "schemathesis-admin.toml")
    with open(admin, "w") as f:
        f.write(config(ids, a.token))
    anonymous = os.path.join(a.work, "schemathesis-anonymous.toml")
    with open(anonymous, "w") as f:
        f.write(re.sub(r'\[auth\.openapi\.bearer\]\nbearer = "[^"]*"\n', "", config(ids, a.token)))
    # One worker: schemathesis' generation is not thread-safe on every CPython 3.11 ("AST constructor recursion
    # depth mismatch"), and one worker keeps the run reproducible.
    common = ["--seed", a.seed, "--suppress-health-check", "all", "--generation-database", "none"]
    ok = run(a.schemathesis, "admin", a.url, admin, common + ["--max-examples", a.examples,
                                                              "--exclude-operation-id", "addLocation"], a.work)
    ok &= run(a.schemathesis, "anonymous", a.url, anonymous, common + ["--max-examples", str(max(1, int(a.examples) // 4))],
              a.work)
    status, _ = call(a.url, "GET", "/health")
    print(f"schemathesis: daemon {'alive' if status == 200 else 'NOT HEALTHY (%s)' % status} afterwards")
    return 0 if ok and status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
