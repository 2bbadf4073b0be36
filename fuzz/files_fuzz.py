#!/usr/bin/env python3
"""Hostile-input fuzzer for Vellum's files routes (and a little of /iiif/ and /locations), over raw sockets so
that nothing normalises the bytes sent. Python standard library only.

It creates a private and a public bucket with a few objects and a multipart upload, then sends seeded random
requests for --seconds: GET/HEAD/PUT/DELETE/POST (and a few others) on /files/{bucket}/{key} and /files/{bucket},
with hostile keys, Range, conditional dates, entity tags, digests, framing (Content-Length, chunked), query
strings and tokens. Every response is checked:
  - no 5xx, and the daemon stays up (GET /health after every connection failure and every 200 requests);
  - an error (4xx) with a body is JSON {"status": N, "message": "..."} with N the HTTP status;
  - HEAD, 204 and 304 have no body; a Content-Length matches the body; every response has `Server: vellum`;
  - 401 carries `WWW-Authenticate: Bearer`;
  - a download's bytes match its ETag, Content-Range and multipart/byteranges parts;
  - some well-framed requests keep their connection open for a GET /health sent once the answer came, or at once
    (pipelined): it must be answered on that connection.
Each distinct finding is printed with a reproduction; the exit status is 1 when there is any.
Reproduce a run with the same --seed (printed at the start and on failure) against a fresh daemon.
"""
import argparse
import base64
import collections
import hashlib
import json
import random
import re
import socket
import sys
import time
import unicodedata
import urllib.parse
import uuid

# ---------------------------------------------------------------------------------------------------- raw HTTP


class NoResponse(Exception):
    pass


def answered(method, data):
    """Whether `data` holds a whole final response (framed by Content-Length or chunked, or without a body)."""
    while b"\r\n\r\n" in data:
        head, rest = data.split(b"\r\n\r\n", 1)
        status = int(head[9:12]) if head[9:12].isdigit() else 0
        if 100 <= status < 200:
            data = rest
            continue
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        if method == "HEAD" or status in (204, 304):
            return True
        if re.search(rb"\r\ntransfer-encoding: *chunked", head, re.I):
            return rest.endswith(b"0\r\n\r\n")
        return bool(length) and len(rest) >= int(length.group(1))
    return False


def exchange(host, port, raw, half_close=False, timeout=15.0, then=None, method="GET"):
    """Sends raw request bytes on a new connection and returns (status, headers, data): headers a list of (lower-case
    name, value), data the bytes after them. Interim 1xx are skipped. `then` is sent once a whole response came."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(raw)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer (e.g. 413) and close before reading everything
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if then and answered(method, data):
                    s.sendall(then)
                    then = None
        except socket.timeout:
            if not data:
                raise NoResponse("timed out")
        except OSError as e:
            if not data:
                raise NoResponse(str(e))
    while True:
        if b"\r\n\r\n" not in data:
            raise NoResponse("connection closed without a complete response" + (f" ({len(data)} bytes)" if data else ""))
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
        if not m:
            raise NoResponse(f"bad status line {lines[0]!r}")
        status = int(m.group(1))
        headers = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        if 100 <= status < 200:
            continue
        return status, headers, data


def split_body(method, status, headers, data):
    """(body, extra bytes after it, problem) per RFC 9112 §6.3 for a response on a closed connection."""
    h = dict(headers)
    if method == "HEAD" or status in (204, 304):
        return b"", data, None
    if "chunked" in h.get("transfer-encoding", ""):
        body, rest = b"", data
        while True:
            line, sep, rest = rest.partition(b"\r\n")
            try:
                n = int(line.split(b";")[0], 16)
            except ValueError:
                return body, rest, "malformed chunked response body"
            if n == 0:
                return body, b"", None
            body, rest = body + rest[:n], rest[n + 2:]
    if "content-length" in h:
        n = int(h["content-length"])
        if len(data) < n:
            return data, b"", f"Content-Length {n} but only {len(data)} body bytes"
        return data[:n], data[n:], None
    return data, b"", None


# ---------------------------------------------------------------------------------------------------- inputs

UINTS = ["0", "1", "2", "9", "10", "99", "1000", "4096", "2147483647", "2147483648", "4294967295", "4294967296",
         "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
         "99999999999999999999999999", "-1", "-0", "+1", "1.5", "1e3", "0x10", " 1", "١", "", "abc"]
DATES = ["Sun, 01 Jan -2147483648 00:00:00 GMT", "Sun, 01 Jan 99999999999 00:00:00 GMT",
         "Sun, 01 Jan 2147483647 23:59:59 GMT", "Sun, 01 Jan -2147481749 00:00:00 GMT", "Sun, 01 Foo 2020 00:00:00 GMT",
         "Sun, 32 Jan 2020 00:00:00 GMT", "Sun, 00 Jan 0000 00:00:00 GMT", "Sun, 01 Jan 2020 25:61:61 GMT",
         "Sun, 01 Jan 2020 00:00:00", "Sun, 01 Jan 2020 00:00:00 UTC", "Sun, 01 Jan 2020 00:00:60 GMT",
         "Sat, 29 Feb 2023 12:00:00 GMT", "Thu, 29 Feb 2024 12:00:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
         "Sunday, 06-Nov--2147483648 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun Nov  6 08:49:37 -2147483648",
         "Sun Nov 99 99:99:99 99999", "Sun, 06 Nov 1994 08:49:37 GMT extra", "Sun, 06 Nov 1994 08:49:37:12 GMT",
         "Sun, 06 Nov 1994 -1:-1:-1 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Mon, 01 Jan 1 00:00:00 GMT",
         "Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 10000 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
         "Wed, 31 Dec 1969 23:59:59 GMT", "", "0", "-1", "9999999999999999999", "GMT", ", , , , , GMT",
         "Sun, 01 Jan 2020 00:00:00 GMT" * 100, "Sun,\t01 Jan 2020 00:00:00 GMT", "Sun, 01\u00a0Jan 2020 00:00:00 GMT"]
ETAG_WORDS = ["*", '""', '"', "W/", 'W/"x"', '"md5:00000000000000000000000000000000"', "md5:x", '"a", "b"', "*, *",
              '"' + "x" * 5000 + '"', ",".join(['"x"'] * 500), ' , ,', '"\u00e9"', "\u00e9"]


class Corpus:
    """What the fuzzer knows about the daemon's state, and the generators of hostile requests."""

    def __init__(self, rng, host, port, admin, user, keep_alive=0.15, pipeline=0.5):
        self.rng, self.host, self.port, self.admin, self.user = rng, host, port, admin, user
        self.keep_alive, self.pipeline = keep_alive, pipeline
        self.buckets = {}  # name -> id
        self.objects = []  # (bucket name, raw key path, etag, last-modified, content)
        self.versions, self.uploads = [], []  # ids seen in responses
        self.admin_header = [("Authorization", f"Bearer {admin}")]

    def setup(self, f, image):
        """Buckets (private, public, spare), objects with their entity tags and dates, two multipart uploads."""
        def call(method, target, body=b""):
            status, hdrs, data = f.send((method, target, self.admin_header + [("Content-Length", str(len(body)))], body, False))
            body, _, _ = split_body(method, status, hdrs, data)
            return status, dict(hdrs), json.loads(body) if body and status < 300 else {}
        for name, options in (("private", b""), ("public", b'{"public": true}'), ("spare", b"")):
            status, _, doc = call("POST", b"/files", options)
            if status != 200:
                return False
            self.buckets[name] = doc["id"]
        for bucket, key, body in (("private", b"a.txt", b"hello world"), ("private", b"dir/sub/b.bin", bytes(range(256)) * 40),
                                  ("private", b"caf%C3%A9.txt", b"caf\xc3\xa9"), ("private", b"empty", b""),
                                  ("public", b"a.txt", b"public hello"), ("public", b"image.png", image),
                                  ("private", b"image.png", image), ("public", b"readme", b"<script>x</script>")):
            target = b"/files/" + self.buckets[bucket].encode() + b"/" + key
            status, _, doc = call("PUT", target, body)
            if status != 200:
                return False
            self.versions.append(doc["version_id"])
            _, h, _ = call("HEAD", target)
            self.objects.append((bucket, key, h.get("etag", '"x"'), h.get("last-modified", ""), body))
        for size in (b"10", b"5242881"):
            status, _, doc = call("POST", b"/files/" + self.buckets["private"].encode() + b"/multi?uploads&size=" + size
                                  + b"&partSize=5242880")
            if status != 200:
                return False
            self.uploads.append(doc["id"])
        return True

    def harvest(self, body):
        """Keeps the version and upload ids of a JSON answer, for later requests."""
        try:
            doc = json.loads(body)
        except ValueError:
            return
        for d in doc if isinstance(doc, list) else [doc]:
            if isinstance(d, dict) and "version_id" in d:
                self.versions.append(d["version_id"])
            if isinstance(d, dict) and "part_size" in d and "id" in d:
                self.uploads.append(d["id"])

    # ---- primitive choices
    def pick(self, *options):
        return self.rng.choice(options)

    def maybe(self, p):
        return self.rng.random() < p

    def number(self):
        return self.pick(*UINTS) if self.maybe(0.6) else str(self.rng.randrange(-5, 2 ** self.rng.randrange(1, 70)))

    def garbage(self, n=None, raw=0.1):
        """Random text; percent-encoded (for URLs) or ASCII-only (for headers) except with probability `raw`, as
        bytes that HTTP itself forbids there mostly get the request refused by the HTTP parser."""
        n = self.rng.randrange(0, 40) if n is None else n
        alphabet = "abc0123456789-=,;:\"'*/\\ %+&?#\t\u00e9\u202e\ufeff\u0000\u00a0"
        text = "".join(self.rng.choice(alphabet) for _ in range(n))
        return text if self.maybe(raw) else "".join(ch if " " < ch < "\x7f" else "?" for ch in text)

    def component(self):
        """Garbage for a query value or a path segment, usually percent-encoded."""
        text = self.garbage(raw=1)
        return text if self.maybe(0.05) else urllib.parse.quote(text, safe="")

    # ---- request parts
    def key(self):
        """A raw path fragment (bytes as sent on the wire)."""
        if self.objects and self.maybe(0.45):
            return self.rng.choice(self.objects)[1]
        hostile = [
            b"%00", b"a%00b", b"%01", b"%09tab", b"%0A", b"%0D%0A", b"%7F", b"%C2%85", b"%C2%9F", b"%FF", b"%C3",
            b"%C3%28", b"%ED%A0%80", b"%F4%90%80%80", b"%E2%80%AE", b"%EF%BB%BF", b"%EF%BB%BFkey", b"%E2%80%8B",
            b"..", b".", b"a/..", b"a/../b", b"a/./b", b"./a", b"%2E", b"%2E%2E", b"a%2F..%2Fb", b"a%2f.%2fb",
            b"%2F", b"%2Fa", b"a%2F", b"/a", b"//a", b"a//b", b"a/", b"%", b"%G0", b"%%", b"%2", b"a%",
            b"a" * 1024, b"a" * 1025, b"%C3%A9" * 512, b"%C3%A9" * 513, b"e%CC%81" * 341, b"e%CC%81" * 342,
            b"caf%C3%A9.txt", b"cafe%CC%81.txt", b"%20", b"+", b"%2B", b"%3F", b"%23", b"%5C", b"%22", b"%3C%3E",
            b"a/%CC%81", b"/%CC%81", b"%2F%CC%B8x", b"a/..%CC%B8", b"a/./%CC%81b", b"a/../%CC%81b",
            b"\xff", b"\xc3\xa9", b"\xe2\x80\xae", b"a\x00b", b"a b", b"a\tb", b"a\x7fb", b"a\rb", b"a#b", b"a?b",
            b"COM1", b".git/config", b"%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "\u202ertl.txt".encode(), b"x" * 9000,
        ]
        k = self.rng.choice(hostile)
        if self.maybe(0.2):
            k = k + b"/" + self.rng.choice(hostile)
        return k

    def range_header(self):
        def spec():
            n = lambda: str(self.rng.randrange(0, 12000)) if self.maybe(0.6) else self.number()
            a, b = n(), n()
            return self.pick(f"{a}-{b}", f"{a}-", f"-{b}", f"{a}", f"{a}--{b}", "-", f" {a} - {b} ", f"{a}-{b}-{a}")
        n = self.pick(1, 1, 2, 3, 99, 100, 101, 500)
        ranges = ",".join(spec() for _ in range(n))
        if self.maybe(0.5):
            return f"bytes={ranges}"
        return self.pick(f"BYTES={ranges}", f"bytes = {ranges}", f"items={ranges}", "bytes=",
                         "bytes", "bytes=0-0,,1-1", "bytes=0-1;x", "bytes=\u0663-\u0664", "bytes=0-\u00a0",
                         "bytes=" + ",".join(["0-0"] * 100), "bytes=" + ",".join(["0-"] * 101),
                         f"bytes=0-{2 ** 63 - 1}", f"bytes=-{2 ** 63}", f"bytes={2 ** 64}-", self.garbage())

    def date(self):
        if self.objects and self.maybe(0.2):
            return self.rng.choice(self.objects)[3] or self.rng.choice(DATES)
        if self.maybe(0.3):  # structured, fields of every width
            n = lambda: self.pick(str(self.rng.randrange(0, 100)), self.number())
            return self.pick(f"Sun, {n()} Jan {n()} {n()}:{n()}:{n()} GMT", f"Sunday, {n()}-Nov-{n()} {n()}:{n()}:{n()} GMT",
                             f"Sun Nov {n()} {n()}:{n()}:{n()} {n()}")
        return self.rng.choice(DATES + [self.garbage()])

    def etag(self):
        if self.objects and self.maybe(0.3):
            tag = self.rng.choice(self.objects)[2]
            return self.pick(tag, "W/" + tag, tag + ", *", tag.strip('"'))
        return self.rng.choice(ETAG_WORDS + [self.garbage()])

    def query(self, method):
        items = []
        uid = lambda pool: self.pick(*(pool or ["x"]), str(uuid.uuid4()), "", "not-a-uuid", str(uuid.uuid4()).upper(),
                                     "00000000-0000-0000-0000-000000000000", self.component(), "%zz", "%00")
        gens = {
            "versionId": lambda: uid(self.versions), "uploadId": lambda: uid(self.uploads), "partNumber": self.number,
            "size": self.number, "partSize": lambda: self.pick("5242880", self.number()), "prefix": self.component,
            "after": self.component, "after_version": lambda: uid(self.versions), "uploads": lambda: None,
            "versions": lambda: None, "download": lambda: None,
        }
        for _ in range(self.rng.randrange(0, 4)):
            name = self.rng.choice(list(gens))
            value = gens[name]()
            items.append(name if value is None else f"{name}={value}")
        q = "&".join(items)
        q = self.pick(q, q, q, q + "&" + q, "&&" + q, "=x&" + q, q + "&%zz", q + "+1")
        return ("?" + q) if q or self.maybe(0.1) else ""

    def auth(self):
        if self.maybe(0.6):
            return f"Bearer {self.admin}"
        return self.pick(None, None, None, f"Bearer {self.user}", f"Bearer {self.user}", "Bearer", "Bearer ",
                         f"bearer {self.admin}", f"Basic {self.admin}", "Bearer x" * 2000, f"Bearer {self.admin} x",
                         "Bearer \u00e9")

    def body_and_framing(self, headers):
        """Returns (body bytes, framing header lines, half_close)."""
        body = self.pick(b"", b"hello world", bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(0, 3000))),
                         b'{"size": 10, "partSize": 5242880}', b"<html><script>alert(1)</script></html>")
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if self.maybe(0.3):
            headers.append(("Content-MD5", self.pick(md5, md5[:-2], "", "====", "!!!", base64.b64encode(b"x" * 15).decode(),
                                                     md5 + md5, self.garbage())))
        if self.maybe(0.3):
            headers.append(("Repr-Digest", self.pick(f"sha-256=:{sha}:", "sha-256=:AAAA:", "sha-256=", "sha-256=:!!:",
                                                     f"sha-512=:{sha}:", f"sha-256=:{sha}:, sha-256=:AAAA:", "sha-256=?0",
                                                     ":", f"md5=:{md5}:", f"sha-256={sha}", self.garbage())))
        if self.maybe(0.2):
            headers.append(("Digest", self.pick(f"SHA-256={sha}", "SHA-256=", "sha-256=xx", f"MD5={md5}", self.garbage())))
        kind = self.pick("length", "length", "length", "chunked", "none", "short", "long", "bad-length", "two-lengths",
                         "bad-chunks", "te-and-cl")
        if kind == "length":
            return body, [("Content-Length", str(len(body)))], False
        if kind == "none":
            return b"", [], False
        if kind == "chunked":
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:7], body[7:]) if c)
            return chunks + b"0\r\n\r\n", [("Transfer-Encoding", "chunked")], False
        if kind == "short":  # fewer bytes than declared, then half-close: a truncated upload
            return body, [("Content-Length", str(len(body) + self.rng.randrange(1, 100)))], True
        if kind == "long":
            return body + b"EXTRA", [("Content-Length", str(len(body)))], False
        if kind == "bad-length":
            return body, [("Content-Length", self.pick("-1", "abc", "1e3", " 5", "5, 5", "99999999999999999999", "0x10", ""))], True
        if kind == "two-lengths":
            return body, [("Content-Length", str(len(body))), ("Content-Length", str(len(body) + 1))], True
        if kind == "te-and-cl":
            return b"0\r\n\r\n", [("Transfer-Encoding", "chunked"), ("Content-Length", "5")], True
        bad = self.pick(b"zz\r\nabc\r\n0\r\n\r\n", b"ffffffffffffffff\r\nabc", b"3\r\nabcdef\r\n0\r\n\r\n",
                        b"3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n", b"-1\r\nabc\r\n", b"3\r\nabc")
        return bad, [("Transfer-Encoding", self.pick("chunked", "gzip, chunked", "chunked, chunked", "identity"))], True

    # ---- whole requests
    def download(self):
        """A well-formed ranged download of a known object (so that 206 and multipart/byteranges get checked)."""
        name, key, etag, modified, content = self.rng.choice(self.objects)
        def spec():
            a = self.rng.randrange(0, len(content) + 10)
            return self.pick(f"{a}-{a + self.rng.randrange(0, 3000)}", f"{a}-", f"-{self.rng.randrange(0, 3000)}")
        headers = [("Authorization", f"Bearer {self.admin}"),
                   ("Range", "bytes=" + ",".join(spec() for _ in range(self.pick(1, 1, 2, 3, 10))))]
        if self.maybe(0.2):
            headers.append(("If-Range", self.pick(etag, modified, '"md5:00000000000000000000000000000000"')))
        return self.pick("GET", "GET", "HEAD"), b"/files/" + self.buckets[name].encode() + b"/" + key, headers, b"", False

    def request(self):
        """Returns (method, target bytes, headers [(name, value)], body, half_close)."""
        if self.objects and self.maybe(0.1):
            return self.download()
        if self.maybe(0.05):  # a plain upload with a hostile key: accepted keys must keep the rules
            target = b"/files/" + self.buckets[self.pick("private", "public")].encode() + b"/" + self.key()
            return "PUT", target, [("Authorization", f"Bearer {self.admin}"), ("Content-Length", "1")], b"x", False
        r = self.rng.random()
        method = self.pick("GET", "GET", "HEAD", "HEAD", "PUT", "PUT", "DELETE", "POST", "POST", "PATCH", "OPTIONS",
                           "PROPFIND", "GET", "GET", "GET", "get")
        bucket = self.pick(*self.buckets.values(), *self.buckets.values(), str(uuid.uuid4()), "not-a-bucket", "%00", "..")
        headers = []
        if r < 0.4 and self.objects:  # an object that exists (unless the fuzzer deleted it)
            name, key = self.rng.choice(self.objects)[:2]
            target = b"/files/" + self.buckets[name].encode() + b"/" + key
        elif r < 0.75:
            target = b"/files/" + bucket.encode() + b"/" + self.key()
        elif r < 0.9:  # buckets, bucket creation, and the other JSON-body route
            target = self.pick(*[b"/files/" + bucket.encode() + self.pick(b"", b"/")] * 6, b"/files", b"/files/", b"/locations")
        else:  # IIIF on the objects, including the image
            ident = self.pick(f"{bucket}:{self.pick('image.png', 'a.txt', 'nope')}", f"{bucket}:{uuid.uuid4()}:image.png",
                              self.component(), f"{bucket}%3Aimage.png", "")
            parts = [self.pick("full", "square", "0,0,10,10", "pct:0,0,100,100", "pct:0,0,1e9,1", "-1,0,1,1",
                               "99999999999,0,1,1", "0,0,0,0", self.component()),
                     self.pick("max", "full", "^max", "1,", ",1", "pct:0", "pct:99999999999", "!1,1", "^10000,10000",
                               "0,0", "99999999999,", self.component()),
                     self.pick("0", "90", "!180", "360", "361", "-1", "0.000000000001", "359.99999999999", "1e2", self.component()),
                     self.pick("default.jpg", "color.png", "gray.webp", "bitonal.gif", "default.tif", "default.jp2",
                               "default.pdf", "default.xyz", "default", self.component())]
            tail = self.pick("/info.json", "", "/" + "/".join(parts), "/" + "/".join(parts[:3]))
            target = f"/iiif/{self.pick('v2', 'v3', 'v4', '')}/{ident}{tail}".encode("utf-8", "surrogatepass")
            method = self.pick("GET", "GET", "HEAD", "OPTIONS", "POST")
        target += self.query(method).encode("utf-8", "surrogatepass")
        token = self.auth()
        if token is not None:
            headers.append(("Authorization", token))
        for name, gen, p in (("Range", self.range_header, 0.35), ("If-Range", lambda: self.pick(self.date(), self.etag()), 0.1),
                             ("If-Modified-Since", self.date, 0.2), ("If-Unmodified-Since", self.date, 0.2),
                             ("If-Match", self.etag, 0.15), ("If-None-Match", self.etag, 0.15),
                             ("Content-Type", lambda: self.pick("text/html", "application/octet-stream", "image/svg+xml",
                                                                 "", "a/b; c=d", self.garbage()), 0.2),
                             ("X-Invenio-File-Tags", lambda: self.pick("a=b", "a=b&a=c", "=", "a=", "%zz=1", "k=" + "v" * 300,
                                                                       self.garbage()), 0.1),
                             ("X-Vellum-Copy-Source", lambda: self.pick(
                                 *(f"{self.buckets[b]}/{k.decode('latin-1')}" for b, k, *_ in self.objects[:4]),
                                 "/files/x", "x", "../a", f"{bucket}/a.txt?versionId=zzz", self.garbage()), 0.08),
                             ("Expect", lambda: "100-continue", 0.05), ("Accept", lambda: self.pick("application/ld+json", "*/*"), 0.05)):
            if self.maybe(p):
                headers.append((name, gen()))
        half = False
        body = b""
        if method in ("PUT", "POST", "PATCH") or self.maybe(0.05):
            body, framing, half = self.body_and_framing(headers)
            headers += framing
        lengths = [v for n, v in headers if n == "Content-Length"]
        codings = [v for n, v in headers if n == "Transfer-Encoding"]
        well_framed = not half and (lengths == [str(len(body))] and not codings or not lengths and codings in ([], ["chunked"]))
        if well_framed and self.maybe(self.keep_alive):  # then a second request on the same connection must be answered
            headers.append((THEN_HEALTH, "pipelined" if self.maybe(self.pipeline) else "sequential"))
        return method, target, headers, body, half


def key_problems(body):
    """The key of a stored version keeps api.md's rules, checked on bytes and code points (not on graphemes)."""
    try:
        key = json.loads(body).get("key")
    except (ValueError, AttributeError):
        return []
    if not isinstance(key, str):
        return []
    raw = key.encode("utf-8", "surrogatepass")
    broken = [why for why, bad in (
        ("not 1-1024 bytes", not 1 <= len(raw) <= 1024), ("a leading /", raw.startswith(b"/")),
        ("a . or .. segment", any(seg in (b".", b"..") for seg in raw.split(b"/"))),
        ("a control character", any(unicodedata.category(ch) == "Cc" for ch in key)),
        ("not NFC", unicodedata.normalize("NFC", key) != key)) if bad]
    return [(f"key with {broken[0]} accepted (api.md §3: 400 Invalid key.)", repr(key))] if broken else []


def route_of(target):
    """iiif, locations, files (/files), bucket (/files/B, /files/B/) or object, for grouping findings."""
    parts = target.partition(b"?")[0].split(b"/")
    if parts[1] != b"files":
        return parts[1].decode("latin-1")
    if len(parts) == 2 or parts[2] == b"":
        return "files"
    return "bucket" if len(parts) == 3 or parts[3:] == [b""] else "object"


def download_problems(status, h, body):
    """A download is self-consistent: a 200's bytes match its ETag; a 206's Content-Range match its bytes, and the
    parts of a multipart/byteranges are ascending, without overlaps (api.md coalesces ranges); a 416 says `*/size`."""
    found = []
    etag = re.fullmatch(r'"md5:([0-9a-f]{32})"', h.get("etag", ""))
    if status == 200 and etag and hashlib.md5(body).hexdigest() != etag.group(1):
        found.append(("200 download whose bytes do not match its ETag", h.get("etag")))
    if status == 206:
        kind = h.get("content-type", "")
        if kind.startswith("multipart/byteranges"):
            boundary = kind.split("boundary=")[-1].strip('"').encode()
            parts = [p for p in body.split(b"--" + boundary)[1:] if not p.startswith(b"--")]
            ranges = []
            for part in parts:
                head, _, data = part.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Range: bytes (\d+)-(\d+)/(\d+)", head, re.I)
                data = data[:-2] if data.endswith(b"\r\n") else data
                if not m or int(m.group(2)) - int(m.group(1)) + 1 != len(data):
                    found.append(("multipart/byteranges part whose Content-Range does not match its bytes", head[:200]))
                    return found
                ranges.append((int(m.group(1)), int(m.group(2))))
            if len(ranges) < 2 or any(b[0] <= a[1] + 1 for a, b in zip(ranges, ranges[1:])):
                found.append(("multipart/byteranges with fewer than 2 parts, or parts not ascending and coalesced", ranges))
        else:
            m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", h.get("content-range", ""))
            if not m or int(m.group(2)) - int(m.group(1)) + 1 != len(body) or int(m.group(2)) >= int(m.group(3)):
                found.append(("206 whose Content-Range does not match its bytes", h.get("content-range")))
    if status == 416 and not re.fullmatch(r"bytes \*/\d+", h.get("content-range", "")):
        found.append(("416 without Content-Range: bytes */size", h.get("content-range")))
    return found


# A request with this header keeps its connection open for a GET /health after it: sent with it (`pipelined`) or
# once its whole answer came (`sequential`). Either must be answered on that connection (RFC 9112 §9.3).
THEN_HEALTH = "X-Fuzz-Then-Health"


def then_health(host, port, headers):
    """The request to send after this one on its connection, or None."""
    if not any(n == THEN_HEALTH for n, _ in headers):
        return None
    return f"GET /health HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()


def encode_request(host, port, method, target, headers, body):
    """The request's bytes; with `X-Fuzz-Then-Health: pipelined`, followed by the next request's."""
    then = then_health(host, port, headers)
    lines = [method.encode() + b" " + target + b" HTTP/1.1", f"Host: {host}:{port}".encode()]
    lines += [] if then else [b"Connection: close"]
    lines += [n.encode() + b": " + v.encode("utf-8", "surrogatepass") for n, v in headers]
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + body
    return raw + then if (THEN_HEALTH, "pipelined") in headers else raw


def reproduction(host, port, req):
    """Shell commands that send this request: curl where curl sends it unchanged, and always the exact bytes."""
    method, target, headers, body, half = req
    raw = encode_request(host, port, method, target, headers, body)
    lines = []
    printable = lambda b: all(32 <= c < 127 and c not in b"'" for c in b)
    names = {n.lower() for n, _ in headers}
    framing_ok = not half and "transfer-encoding" not in names and (
        [v for n, v in headers if n.lower() == "content-length"] in ([], [str(len(body))]))
    if printable(target) and all(printable(v.encode("utf-8", "surrogatepass")) for _, v in headers) and framing_ok \
            and printable(body) and method.isupper():
        hs = "".join(f" -H '{n}: {v}'" for n, v in headers if n.lower() != "content-length")
        data = f" --data-binary '{body.decode()}'" if body or method in ("PUT", "POST", "PATCH") else ""
        head = " -I" if method == "HEAD" else f" -X {method}"
        lines.append(f"curl -si --path-as-is{head}{hs}{data} 'http://{host}:{port}{target.decode()}'")
    then = "" if (THEN_HEALTH, "pipelined") in headers or not then_health(host, port, headers) else (
        'time.sleep(0.5); s.sendall(base64.b64decode("%s")); ' % base64.b64encode(then_health(host, port, headers)).decode())
    lines.append("python3 -c 'import base64, socket, time; s = socket.create_connection((\"%s\", %d)); "
                 "s.sendall(base64.b64decode(\"%s\")); %s%stime.sleep(1); print(s.recv(1 << 20).decode(\"latin-1\"))'"
                 % (host, port, base64.b64encode(raw).decode(), "s.shutdown(socket.SHUT_WR); " if half else "", then))
    if then:
        lines[-1] += "   # intermittent: loop it"
    return "\n  ".join(lines)


# ---------------------------------------------------------------------------------------------------- the run


class Fuzzer:
    def __init__(self, host, port, corpus):
        self.host, self.port, self.c = host, port, corpus
        self.findings = collections.OrderedDict()  # kind -> [count, request, detail]
        self.statuses, self.requests, self.no_response, self.parser_rejects = collections.Counter(), 0, 0, 0
        self.recent = collections.deque(maxlen=5)

    def send(self, req):
        method, target, headers, body, half = req
        raw = encode_request(self.host, self.port, method, target, headers, body)
        self.recent.append(raw)
        self.requests += 1
        then = None if (THEN_HEALTH, "pipelined") in headers else then_health(self.host, self.port, headers)
        return exchange(self.host, self.port, raw, half_close=half, then=then, method=method)

    def healthy(self):
        try:
            return self.send(("GET", b"/health", [], b"", False))[0] == 200
        except (NoResponse, OSError):
            return False

    def problems(self, req):
        """Sends one request; returns [(kind, detail)] for what is wrong with the answer."""
        method, target = req[0], req[1]
        try:
            status, hdrs, data = self.send(req)
        except (NoResponse, OSError) as e:
            self.no_response += 1
            if not self.healthy():
                return [("daemon died (no answer on /health)", f"last requests: {list(self.recent)[:-1]!r}"[:2000])]
            return [] if req[4] else [(f"no response to a complete request ({type(e).__name__})", str(e))]
        self.statuses[status] += 1
        body, extra, problem = split_body(method, status, hdrs, data)
        h = dict(hdrs)
        route = route_of(target)
        found = []
        if status >= 500:
            found.append((f"{status} on {method} {route}", body[:300]))
        if problem:
            found.append((f"malformed response: {problem}", ""))
        mode = dict(req[2]).get(THEN_HEALTH)
        if mode and h.get("connection") != "close" and not problem:
            if not re.match(rb"HTTP/1\.1 200 .*?\r\n\r\n\{\"status\":\"ok\"\}$", extra, re.S):
                found.append((f"the next request on the same connection ({mode}) got no right answer",
                              f"after {method} {route} {status}: {extra[:300]!r}"))
        elif (method == "HEAD" or status in (204, 304)) and extra:
            found.append((f"{status} answer to {method} has a body", f"{route}: {extra[:200]!r}"))
        if status == 400 and not body and "server" not in h and h.get("connection") == "close":
            self.parser_rejects += 1  # refused by the HTTP/1.1 parser before any Vellum code: no Server header
            return found
        if h.get("server") != "vellum":
            found.append(("response without Server: vellum", f"status {status}: {body[:100]!r}"))
        if status == 401 and h.get("www-authenticate") != "Bearer":
            found.append(("401 without WWW-Authenticate: Bearer", h.get("www-authenticate")))
        if status >= 400 and body:
            try:
                doc = json.loads(body)
                ok = isinstance(doc, dict) and doc.get("status") == status and isinstance(doc.get("message"), str)
            except ValueError:
                ok = False
            if not ok:
                found.append((f'error {status} body is not {{"status": {status}, "message": ...}}', body[:300]))
        if method == "GET" and route == "object" and b"uploadId" not in target and not problem:
            found += download_problems(status, h, body)
        if 200 <= status < 300 and "json" in h.get("content-type", ""):
            self.c.harvest(body)
            if method == "PUT":
                found += key_problems(body)
        if method == "DELETE" and status == 204:  # put deleted objects back
            for name, key, _, _, content in self.c.objects:
                path = b"/files/" + self.c.buckets[name].encode() + b"/" + key
                if target.partition(b"?")[0] == path:
                    self.send(("PUT", path, self.c.admin_header + [("Content-Length", str(len(content)))], content, False))
        if method == "PATCH" and status == 200:  # keep the buckets writable
            for b in self.c.buckets.values():
                self.send(("PATCH", b"/files/" + b.encode(), self.c.admin_header + [("Content-Length", "16")],
                           b'{"locked":false}', False))
        return found

    def minimise(self, req, kind):
        """Greedily drops headers, query, body and path detail while the same kind of finding reproduces."""
        def still(candidate):
            return any(k == kind for k, _ in self.problems(candidate))
        method, target, headers, body, half = req
        for i in reversed(range(len(headers))):
            if headers[i][0] in ("Authorization",) and kind.startswith("401"):
                continue
            candidate = (method, target, headers[:i] + headers[i + 1:], body, half)
            if still(candidate):
                method, target, headers, body, half = candidate
        path, _, query = target.partition(b"?")
        if query and still((method, path, headers, body, half)):
            target = path
        elif query:
            items = query.split(b"&")
            for i in reversed(range(len(items))):
                shorter = items[:i] + items[i + 1:]
                candidate = (method, path + (b"?" + b"&".join(shorter) if shorter else b""), headers, body, half)
                if still(candidate):
                    items, target = shorter, candidate[1]
        path, sep, query = target.partition(b"?")
        parts = path.split(b"/", 3)  # "", "files", bucket, key
        if len(parts) == 4 and parts[1] == b"files" and parts[3] != b"a.txt":
            candidate = (method, b"/".join(parts[:3]) + b"/a.txt" + sep + query, headers, body, half)
            if still(candidate):
                target = candidate[1]
        for simpler in (b"", b"x"):
            if len(body) > len(simpler):
                fixed = [(n, str(len(simpler)) if n == "Content-Length" and v == str(len(body)) else v) for n, v in headers]
                if still((method, target, fixed, simpler, half)):
                    body, headers = simpler, fixed
                    break
        return method, target, headers, body, half

    def record(self, req, found):
        for kind, detail in found:
            entry = self.findings.setdefault(kind, [0, req, detail])
            entry[0] += 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True, help="an admin token")
    p.add_argument("--user-token", default="no-such-token-0123456789", help="a non-admin token")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--max-requests", type=int, default=10 ** 9)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--image", help="a PNG to upload as image.png (for the IIIF requests)")
    p.add_argument("--keep-alive", type=float, default=0.15,
                   help="share of well-framed requests followed by a GET /health on the same connection")
    p.add_argument("--pipeline", type=float, default=0.5, help="share of those where it is pipelined (sent at once)")
    a = p.parse_args()
    m = re.match(r"http://([^:/]+):(\d+)", a.url)
    host, port = m.group(1), int(m.group(2))
    print(f"files fuzzer: seed {a.seed}, {a.seconds:g} s, against {a.url}")
    c = Corpus(random.Random(a.seed), host, port, a.token, a.user_token, a.keep_alive, a.pipeline)
    f = Fuzzer(host, port, c)
    image = open(a.image, "rb").read() if a.image else b"not an image"
    if not c.setup(f, image) or not f.healthy():
        print("files fuzzer: setup failed or the daemon is not healthy after it")
        return 1
    started = time.monotonic()
    while time.monotonic() - started < a.seconds and f.requests < a.max_requests:
        req = c.request()
        found = f.problems(req)
        f.record(req, found)
        if any(k.startswith("daemon died") for k, _ in found):
            break
        if f.requests % 200 < 2 and not f.healthy():
            f.record(req, [("daemon died (no answer on /health)", f"last requests: {list(f.recent)!r}"[:2000])])
            break
    elapsed, sent = time.monotonic() - started, f.requests
    alive = f.healthy()
    if not alive and not any(k.startswith("daemon died") for k in f.findings):
        f.record(("GET", b"/health", [], b"", False), [("daemon died (no answer on /health)", "")])
    print(f"files fuzzer: {sent} requests in {elapsed:.0f} s (seed {a.seed}); statuses "
          + ", ".join(f"{s}x{k}" for s, k in sorted(f.statuses.items()))
          + f"; {f.parser_rejects} refused by the HTTP parser; {f.no_response} without a response; daemon "
          + ("alive" if alive else "DEAD") + f"; {sum(v[0] for v in f.findings.values())} findings of {len(f.findings)} kinds")
    for kind, (count, req, detail) in f.findings.items():
        if alive and not kind.startswith("daemon died"):
            req = f.minimise(req, kind)
        print(f"FINDING ({count}x) {kind}\n  detail: {detail!r}\n  request: {encode_request(host, port, *req[:4])[:600]!r}"
              f"\n  reproduce: {reproduction(host, port, req)}")
    if f.findings:
        print(f"files fuzzer: FAILED; rerun with --seed {a.seed} against a fresh daemon to reproduce the sequence")
    return 1 if f.findings else 0


if __name__ == "__main__":
    sys.exit(main())
