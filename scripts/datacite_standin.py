#!/usr/bin/env python3
"""A stand-in of DataCite's REST API for the tests (DataCite itself cannot be reached here), answering as DataCite
does and refusing what DataCite would: every body is validated with DataCite's own JSON Schema 4.5 (from PyPI's
`datacite` wheel, the environment scripts/pid-oracles.sh prepares).

  datacite_standin.py --port P --username U --password W --prefix 10.5072

  GET  /heartbeat                 "OK"
  PUT  /dois/{doi}                create (201) or update (200) a DOI: JSON:API `{"data": {"attributes": {...}}}`;
                                  `event` publish (findable), register (registered), hide (findable → registered);
                                  no event: a draft
  POST /dois                      create, the DOI in the attributes
  GET  /dois/{doi}                200, 404
  DELETE /dois/{doi}              204 for drafts; 405 otherwise
Every request needs HTTP Basic auth with the account (401 otherwise); a DOI outside the account's prefix is 403.
A DOI that is (or becomes) registered or findable needs its metadata valid against datacite-v4.5.json and a `url`
whose host is one of the repository's domains (else 422 with DataCite's `{"errors": [{"source", "title"}]}`), and
nothing is stored.
Controls for the tests (no such path at DataCite): POST /_standin/mode `{"mode": "ok" | "error500"}` (answer 500
to every DOI request while set), POST /_standin/domains `{"domains": ["*" | "host" | "*.domain", ...]}` (the
repository's domain settings, as set in DataCite's Fabrica; "*" at first), GET /_standin/dois (every DOI: state, attributes, times), GET /_standin/requests
(method, path, status of each request), POST /_standin/reset.
"""
import argparse
import base64
import json
import pathlib
import signal
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import datacite
import jsonschema

SCHEMA = json.loads((pathlib.Path(datacite.__file__).parent / "schemas" / "datacite-v4.5.json").read_text())
VALIDATOR = jsonschema.Draft201909Validator(SCHEMA)
METADATA = set(SCHEMA["properties"]) - {"doi", "prefix", "suffix", "event", "url"}

lock = threading.RLock()
state = {"mode": "ok", "domains": ["*"], "dois": {}, "requests": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=None, content_type="application/vnd.api+json"):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with lock:
            if not self.path.startswith("/_standin"):
                state["requests"].append({"method": self.command, "path": self.path, "status": status, "at": time.time()})

    def errors(self, status, *problems):
        self.answer(status, {"errors": [{"status": str(status), "source": s, "title": t} for s, t in problems]})

    def parse_request(self):
        # The whole body is read before anything is answered: an early answer (401, 404) must not leave it on a
        # kept-alive connection, where it would be read as the next request ("Bad request syntax", seen in CI).
        if not super().parse_request():
            return False
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        return True

    def body(self):
        return json.loads(self.raw_body) if self.raw_body else None

    def authorized(self):
        expected = "Basic " + base64.b64encode(f"{self.server.username}:{self.server.password}".encode()).decode()
        if self.headers.get("Authorization") == expected:
            return True
        self.answer(401, {"errors": [{"status": "401", "title": "Bad credentials."}]})
        return False

    def doi(self):
        return urllib.parse.unquote(self.path.split("?")[0][len("/dois/"):]).lower()

    def do_GET(self):
        if self.path == "/heartbeat":
            return self.answer(200, b"OK", "text/plain")
        if self.path in ("/_standin/dois", "/_standin/requests"):
            with lock:
                data = json.dumps(state[self.path.rsplit("/", 1)[1]]).encode()
            return self.answer(200, data, "application/json")
        if not self.path.startswith("/dois/") or not self.authorized():
            return None if self.path.startswith("/dois/") else self.errors(404, ("path", "The resource you are looking for doesn't exist."))
        with lock:
            record = state["dois"].get(self.doi())
        if record is None:
            return self.errors(404, ("doi", "The resource you are looking for doesn't exist."))
        self.answer(200, self.document(self.doi(), record))

    def do_POST(self):
        if self.path == "/_standin/mode":
            with lock:
                state["mode"] = self.body()["mode"]
            return self.answer(200, {"mode": state["mode"]}, "application/json")
        if self.path == "/_standin/domains":
            with lock:
                state["domains"] = self.body()["domains"]
            return self.answer(200, {"domains": state["domains"]}, "application/json")
        if self.path == "/_standin/reset":
            with lock:
                state.update(mode="ok", domains=["*"], dois={}, requests=[])
            return self.answer(200, {}, "application/json")
        if self.path != "/dois":
            return self.errors(404, ("path", "The resource you are looking for doesn't exist."))
        if not self.authorized():
            return
        body = self.body() or {}
        doi = str(((body.get("data") or {}).get("attributes") or {}).get("doi", "")).lower()
        self.change(doi, body, create_only=True)

    def do_PUT(self):
        if not self.path.startswith("/dois/"):
            return self.errors(404, ("path", "The resource you are looking for doesn't exist."))
        if not self.authorized():
            return
        self.change(self.doi(), self.body() or {})

    def do_DELETE(self):
        if not self.path.startswith("/dois/") or not self.authorized():
            return
        with lock:
            record = state["dois"].get(self.doi())
            if record is None:
                return self.errors(404, ("doi", "The resource you are looking for doesn't exist."))
            if record["state"] != "draft":
                return self.errors(405, ("doi", "Method not allowed: only draft DOIs can be deleted."))
            del state["dois"][self.doi()]
        self.answer(204)

    def change(self, doi, body, create_only=False):
        if state["mode"] == "error500":
            return self.errors(500, ("server", "Internal server error"))
        if not doi.startswith(self.server.prefix + "/"):
            return self.errors(403, ("doi", f"You are not authorized to use the prefix of {doi}."))
        attributes = dict(((body.get("data") or {}).get("attributes")) or {})
        event = attributes.pop("event", None)
        if event not in (None, "publish", "register", "hide"):
            return self.errors(422, ("event", f"Invalid event {event}."))
        with lock:
            existing = state["dois"].get(doi)
            if existing is not None and create_only:
                return self.errors(422, ("doi", "This DOI has already been taken"))
            current = existing["state"] if existing else "draft"
            new_state = {"publish": "findable", "register": "registered", "hide": "registered", None: current}[event]
            if event == "hide" and current != "findable":
                return self.errors(422, ("event", "Only findable DOIs can be hidden."))
            merged = dict(existing["attributes"]) if existing else {}
            merged.update({k: v for k, v in attributes.items() if k != "state"})
            merged["doi"] = doi
            if new_state != "draft":
                metadata = {k: v for k, v in merged.items() if k in METADATA or k not in SCHEMA["properties"]}
                problems = [(".".join(map(str, e.absolute_path)) or e.validator, e.message)
                            for e in sorted(VALIDATOR.iter_errors(dict(metadata, doi=doi)), key=str)]
                url = merged.get("url")
                if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                    problems.append(("url", "can't be blank"))
                elif not allowed(urllib.parse.urlsplit(url).hostname or ""):
                    problems.append(("url", "URL is not allowed by repository domain settings."))
                if problems:
                    return self.errors(422, *problems[:20])
            now = time.time()
            state["dois"][doi] = {"state": new_state, "attributes": merged,
                                  "created": existing["created"] if existing else now, "updated": now,
                                  "events": (existing["events"] if existing else []) + [event or "draft"]}
            record = state["dois"][doi]
        self.answer(200 if existing else 201, self.document(doi, record))

    @staticmethod
    def document(doi, record):
        return {"data": {"id": doi, "type": "dois", "attributes": dict(record["attributes"], state=record["state"])}}


def allowed(host):
    """Whether the repository's domain settings allow a landing page on `host`."""
    return any(d == "*" or d == host or (d.startswith("*.") and host.endswith(d[1:])) for d in state["domains"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--prefix", required=True)
    a = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a test runner's children may inherit an ignored SIGTERM
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    server.username, server.password, server.prefix = a.username, a.password, a.prefix.lower()
    server.serve_forever()


if __name__ == "__main__":
    main()
