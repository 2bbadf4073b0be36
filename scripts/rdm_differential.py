#!/usr/bin/env python3
"""InvenioRDM's record schemas through Python's jsonschema and through `vellum schema validate`, instance by instance.

Used by scripts/rdm-differential.sh (the differential test) and benchmarks/validation.sh (the benchmark):
  extract WHEEL... DIR           the wheels' `jsonschemas/` trees merged into DIR, as invenio-jsonschemas serves them
                                 (`local://records/record-v6.0.0.json` is DIR/records/record-v6.0.0.json)
  generate SCHEMAS OUT [-n N]    hand-built seeds (which must be valid), edge cases, then N seeded random mutations
                                 of the seeds (N / 4 for parents), as OUT/records/*.json and OUT/parents/*.json:
                                 the text Python and Vellum both read
  check SCHEMAS OUT VELLUM       every instance against every record (parent) schema, Python's verdict next to
                                 Vellum's; exit status 1 with the list of disagreements
  api SCHEMAS OUT VELLUM         through a daemon: every schema registered with PUT /schemas/{name} and read back,
                                 then the records' metadata as drafts of a schema registered on top
                                 (record-v6.0.0.json's `metadata`): a draft's `errors` against Python's verdict
  bench SCHEMAS SCHEMA LIST      Python end to end over the files LIST names (one a line), as vellum does it: its
                                 phases' times on stderr, `validate_only` the validator's alone (built once, the
                                 instances parsed beforehand, every error collected)
Python's side is Draft7Validator (what the schemas' `$schema` names), a `referencing` registry holding every document
as draft 7 under `local://` (as Invenio does; the shared definitions have no `$schema`), and no format checker,
as Vellum without `--formats`.
"""
import argparse
import copy
import json
import os
import pathlib
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

RECORD_SCHEMAS = [f"records/record-v{v}.0.0.json" for v in (2, 3, 4, 5, 6)]
PARENT_SCHEMAS = [f"records/parent-v{v}.0.0.json" for v in (1, 2, 3)]


def extract(wheels, out):
    out = pathlib.Path(out)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                if "/jsonschemas/" in name and name.endswith(".json"):
                    target = out / name.split("/jsonschemas/", 1)[1]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(name))


def validator(schemas, name):
    from jsonschema import Draft7Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT7
    root = pathlib.Path(schemas)
    registry = Registry().with_resources(
        (f"local://{p.relative_to(root).as_posix()}", DRAFT7.create_resource(json.loads(p.read_text())))
        for p in sorted(root.rglob("*.json")))
    return Draft7Validator(json.loads((root / name).read_text()), registry=registry)


def python_verdict(v, text):
    """(valid, first message) for one instance's text; an instance Python cannot parse or check counts as invalid."""
    try:
        errors = sorted(v.iter_errors(json.loads(text)), key=lambda e: list(map(str, e.absolute_path)))
    except Exception as error:  # not JSON, or a reference Python cannot resolve
        return False, f"python error: {type(error).__name__}: {error}"
    if not errors:
        return True, ""
    e = errors[0]
    return False, "/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:200]


# --- seeds: records and parents as InvenioRDM stores them (record-v6.0.0 and parent-v3.0.0) ---

def agent(user="1"):
    return {"user": user}


def person(family, given, orcid=None):
    p = {"type": "personal", "name": f"{family}, {given}", "family_name": family, "given_name": given}
    if orcid:
        p["identifiers"] = [{"scheme": "orcid", "identifier": orcid}]
    return p


def request():
    return {"$schema": "local://requests/request-v1.0.0.json", "id": "3bd5e1b7-6a3e-4d0a-a9a0-4d5fe1f7bd28",
            "type": "community-submission", "is_locked": False, "title": "Submission", "status": "submitted",
            "topic": {"record": "abcd-1234"}, "receiver": {"community": "5d3f"}, "created_by": {"user": "1"},
            "payload": {"content": "please", "format": "html", "n": 3}, "reviewers": [{"user": "2"}, None],
            "files": {"enabled": False}, "@v": "3bd5e1b7::1"}


RECORD_SEEDS = {
    "minimal": {},
    "metadata-only": {"metadata": {"title": "A title", "publication_date": "2024", "resource_type": {"id": "dataset"},
                                   "creators": [{"person_or_org": {"type": "organizational", "name": "CERN"}}]}},
    # demo.py's create_fake_record(), with fixed values (its additional_descriptions' "lang": "eng" made an object)
    "demo": {
        "access": {"record": "public", "files": "public"}, "files": {"enabled": False}, "pids": {},
        "metadata": {
            "resource_type": {"id": "image-photo"},
            "creators": [{"person_or_org": person("Doe", "Jane", "0000-0002-1825-0097"),
                          "role": {"id": "datacollector"}, "affiliations": []} for _ in range(4)],
            "title": "Acme's gallery",
            "additional_titles": [{"title": "a research data management platform", "type": {"id": "subtitle"},
                                   "lang": {"id": "eng"}},
                                  {"title": "Other's gallery", "type": {"id": "alternative-title"}, "lang": {"id": "aah"}}],
            "publisher": "InvenioRDM", "publication_date": "2019-03/2020-11-02", "subjects": [],
            "contributors": [{"person_or_org": person("Roe", "Rich"), "role": {"id": "other"}, "affiliations": []}],
            "languages": [{"id": "eng"}],
            "related_identifiers": [{"identifier": "10.9999/rdm.9999988", "scheme": "doi",
                                     "relation_type": {"id": "cites"}, "resource_type": {"id": "dataset"}}],
            "sizes": ["11 pages"], "formats": ["application/pdf"], "version": "v0.0.1",
            "description": "Lorem ipsum <b>dolor</b> sit amet.",
            "additional_descriptions": [{"description": "Methods.", "type": {"id": "methods"}, "lang": {"id": "eng"}}],
            "funding": [{"funder": {"id": "00k4n6c32"}}],
            "references": [{"reference": "Reference to something et al.", "identifier": "0000000114559647",
                            "scheme": "isni"}],
            "identifiers": [{"identifier": "ark:/123/456", "scheme": "ark"}],
        }},
    # a published record as stored: system fields, PIDs, locations, rights, funding, tombstone, review
    "stored": {
        "$schema": "local://records/record-v6.0.0.json", "id": "abcd-1234",
        "pid": {"pk": 42, "status": "R", "pid_type": "recid", "obj_type": "rec"},
        "pids": {"doi": {"identifier": "10.5281/zenodo.1234", "provider": "datacite", "client": "datacite"},
                 "oai": {"identifier": "oai:zenodo.org:1234", "provider": "oai"}},
        "access": {"record": "public", "files": "restricted",
                   "embargo": {"active": False, "until": None, "reason": None}},
        "files": {"enabled": True, "default_preview": "data.csv", "order": ["data.csv", "readme.txt"]},
        "media_files": {"enabled": False},
        "custom_fields": {"code:programmingLanguage": [{"id": "python"}], "journal:journal": {"title": "J"}},
        "provenance": {"created_by": agent(), "on_behalf_of": None},
        "notes": ["imported", "checked"],
        "internal_notes": {"id": "n1", "note": "ok", "timestamp": "2024-05-01T10:00:00Z", "added_by": agent(7)},
        "tombstone": {"removal_reason": {"id": "spam"}, "note": "", "removed_by": agent(), "is_visible": True,
                      "removal_date": "2024-06-01T00:00:00+00:00", "citation_text": "Doe (2024)",
                      "deletion_policy": {"id": "request-deletion"}},
        "review": request(),
        "metadata": {
            "resource_type": {"id": "publication-article"},
            "creators": [{"person_or_org": person("Nielsen", "Lars Holm", "0000-0001-8135-3489"),
                          "role": {"id": "contactperson"},
                          "affiliations": [{"id": "01ggx4157", "name": "CERN"}, {"name": "Université de Genève"}]}],
            "title": "InvenioRDM: a research data management platform",
            "publisher": "Zenodo", "publication_date": "2023-11-20", "copyright": "© 2023 CERN",
            "subjects": [{"id": "http://id.nlm.nih.gov/mesh/A01"}, {"subject": "data"}],
            "dates": [{"date": "1939/1945", "type": {"id": "other"}, "description": "A date"}],
            "languages": [{"id": "eng"}, {"id": "dan"}],
            "identifiers": [{"identifier": "1924MNRAS..84..308E", "scheme": "bibcode"},
                            {"identifier": "10.5281/zenodo.1", "scheme": "doi"}],
            "related_identifiers": [{"identifier": "10.1234/foo.bar", "scheme": "doi",
                                     "relation_type": {"id": "iscitedby"}, "resource_type": {"id": "dataset"}}],
            "rights": [{"id": "cc-by-4.0", "title": {"en": "Creative Commons Attribution 4.0 International"},
                        "description": {"en": "The Creative Commons Attribution license ..."},
                        "link": "https://creativecommons.org/licenses/by/4.0/legalcode"}],
            "locations": {"features": [
                {"geometry": {"type": "Point", "coordinates": [6.05, 46.23]}, "place": "CERN",
                 "description": "Meyrin", "identifiers": [{"scheme": "geonames", "identifier": "2661235"}]},
                {"geometry": {"type": "MultiPoint", "coordinates": [[-32.94, -60.94], [-32.94, -60.94]]}},
                {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
                {"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1.5]]}},
                {"geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}},
                {"place": "Geneva"}]},
            "funding": [{"funder": {"id": "00k4n6c32", "name": "European Commission"},
                         "award": {"id": "00k4n6c32::755021", "number": "755021", "title": {"en": "Personalised"},
                                   "identifiers": [{"scheme": "url", "identifier": "https://cordis.europa.eu/"}]}}],
            "references": [{"reference": "Nielsen et al,.."}],
            "version": "1.0", "sizes": ["2 GB"], "formats": ["text/csv"],
            "additional_descriptions": [{"description": "Notes.", "type": {"id": "other"}}],
        }},
    "restricted-embargo": {
        "access": {"record": "restricted", "files": "restricted",
                   "embargo": {"active": True, "until": "2131-01-01", "reason": "Only for you"}},
        "files": {"enabled": False}, "provenance": {"created_by": agent(3), "on_behalf_of": agent("5")},
        "metadata": {"title": "Embargoed", "creators": [{"person_or_org": {"type": "organizational", "name": "ACME",
                                                                           "identifiers": [{"scheme": "ror", "identifier": "03yrm5c26"}]}}]}},
    "unicode": {
        "id": "ünïcödé-1", "notes": ["日本語のノート", "emoji 🎉", "combining e\u0301", "rtl \u202eabc", "nul \u0000 char"],
        "metadata": {"title": "Ωμέγα — «titre» 🚀", "description": "tab\tnewline\nquote\" backslash\\",
                     "creators": [{"person_or_org": person("Łukasiewicz", "Jan")}],
                     "additional_titles": [{"title": "Заголовок", "lang": {"id": "rus"}, "type": {"id": "translated-title"}}],
                     "publication_date": "2020-02-29"}},
}

PARENT_SEEDS = {
    "minimal": {},
    "stored": {
        "$schema": "local://records/parent-v3.0.0.json", "id": "pqrs-5678",
        "pid": {"pk": 41, "status": "R", "pid_type": "recid", "obj_type": "rec"},
        "pids": {"doi": {"identifier": "10.5281/zenodo.1233", "provider": "datacite", "client": "datacite"}},
        "access": {"owned_by": agent(), "grants": [{"subject": {"type": "user", "id": "2"}, "permission": "view",
                                                    "origin": None},
                                                   {"subject": {"type": "role", "id": "curators"}, "permission": "edit",
                                                    "origin": "ui"}],
                   "links": [{"id": "d27f8a8f"}],
                   "settings": {"allow_user_requests": True, "allow_guest_requests": False,
                                "accept_conditions_text": None, "secret_link_expiration": 30}},
        "communities": {"default": "5d3f", "ids": ["5d3f", "9a0b"]},
        "review": request(),
        "permission_flags": {"can_community_manage": True}},
    "no-owner": {"access": {"owned_by": None, "grants": [], "links": []}, "communities": {"ids": []}},
}

# --- mutations ---

KEYS = ["extra", "id", "$schema", "type", "", "ünï", "a b", "a/b~c", "UPPER", "doi", "oai", "_x", "-x", "1abc",
        "x\n", "x\r", "x\u2028y", "\u0085", "user", "community", "name", "identifier", "metadata", "é", "🔑", "pk"]
# line ends and separators before the end, where `$` and `.` of regular expression engines differ
EDGE_KEYS = ["doi", "doi\n", "doi\r", "doi\r\n", "doi\u2028", "doi\u2029", "doi\u0085", "doi\x0b", "doi\x0c",
             "a\nb", "a\rb", "a\u2028b", "a\u0085b", "\n", "\r", "\u2028", "Doi", "d-oi", "_", "-", "0doi", "dói", ""]
STRINGS = ["", "x", "public", "restricted", "Public", "public ", "personal", "organizational", "N", "K", "R", "M",
           "D", "r", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "point",
           "user", "role", "2020-02-30", "2020-13-01", "2020", "2020/2021", "not a date", "2020-01-01T25:00:00Z",
           "2024-05-01T10:00:00Z", "http://[::1", "not a uri", "https://example.org/ä", "mailto:x", "10.5281/z.1",
           "Ünïcödé", "日本語", "😀", "a\u0000b", "e\u0301", "\u202e", "line\nbreak", "x" * 5000, "<script>"]
SCALARS = [None, True, False, 0, -1, 1, 1.0, 2.5, -0.0, 1e308, -1e-300, 2 ** 53 + 1, 12345678901234567890123456789,
           "text", "", "1"]


def nodes(x, path=()):
    yield path, x
    if isinstance(x, dict):
        for k, v in x.items():
            yield from nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from nodes(v, path + (i,))


def values_by_key(seeds):
    pool = {}
    for seed in seeds:
        for path, value in nodes(seed):
            if path and isinstance(path[-1], str):
                pool.setdefault(path[-1], []).append(value)
    return pool


def mutate(doc, rng, pool, donors):
    """One random change somewhere in doc (in place, unless it replaces the whole); returns doc and the change."""
    all_nodes = list(nodes(doc))
    path, value = rng.choice(all_nodes)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]

    def put(new):
        nonlocal doc
        if not path:
            doc = new
        else:
            parent[path[-1]] = new

    kind = rng.choice(["drop", "drop", "same-key", "same-key", "same-key", "type", "string", "extra", "empty",
                       "duplicate", "transplant", "wrap", "number", "append"])
    if kind == "drop" and path:
        del parent[path[-1]]
    elif kind == "same-key" and path and isinstance(path[-1], str) and pool.get(path[-1]):
        put(copy.deepcopy(rng.choice(pool[path[-1]])))
    elif kind == "type":
        put(copy.deepcopy(rng.choice(SCALARS + [[], {}, [1, "a"], {"a": 1}])))
    elif kind == "string":
        put(rng.choice(STRINGS))
    elif kind == "extra" and isinstance(value, dict):
        value[rng.choice(KEYS)] = copy.deepcopy(rng.choice(SCALARS + [{}, [], {"user": "1"}, {"id": "x"}]))
    elif kind == "empty":
        put(rng.choice([[], {}, ""]))
    elif kind == "duplicate" and isinstance(value, list) and value:
        value.append(copy.deepcopy(rng.choice(value)))
    elif kind == "transplant":
        put(copy.deepcopy(rng.choice(list(nodes(rng.choice(donors))))[1]))
    elif kind == "wrap":
        put(rng.choice([[value], {"id": value}, {rng.choice(KEYS): value}]))
    elif kind == "number":
        put(rng.choice([0, -1, 7, 1.0, 1.5, -90.5, 181, 1e308, -1e308, 2 ** 63, 10 ** 30, 5e-324]))
    elif kind == "append" and isinstance(value, list):
        value.append(copy.deepcopy(rng.choice(value) if value and rng.random() < .6 else rng.choice(SCALARS)))
    else:
        kind = "none"
    return doc, kind


def generate(schemas, out, count, seed):
    out = pathlib.Path(out)
    for kind, seeds, check in (("records", RECORD_SEEDS, "records/record-v6.0.0.json"),
                               ("parents", PARENT_SEEDS, "records/parent-v3.0.0.json")):
        v = validator(schemas, check)
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for name, doc in seeds.items():
            text = json.dumps(doc, ensure_ascii=False, indent=1)
            valid, message = python_verdict(v, text)
            assert valid, f"seed {kind}/{name} is not valid for {check}: {message}"
            (folder / f"seed-{name}.json").write_text(text, encoding="utf-8")
        rng = random.Random(f"{seed}-{kind}")
        donors = list(seeds.values())
        pool = values_by_key(donors)
        # edge cases the random walk rarely meets: awkward member names where the schemas match names with
        # patterns (pids' propertyNames, entity references' and request payloads' patternProperties)
        for k, key in enumerate(EDGE_KEYS):
            for where in ("pids", "review/topic", "review/payload"):
                doc = copy.deepcopy(seeds["stored"])
                target = doc
                for step in where.split("/"):
                    target = target[step]
                target[key] = copy.deepcopy(next(iter(target.values())))
                (folder / f"edge-{where.replace('/', '.')}-{k:02d}.json").write_text(
                    json.dumps(doc, ensure_ascii=k % 2 == 0), encoding="utf-8")
        n = count if kind == "records" else max(count // 4, 1)
        for i in range(n):
            doc = copy.deepcopy(rng.choice(donors))
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                doc, _ = mutate(doc, rng, pool, donors)
            # escaped or raw UTF-8, compact or indented: both readers see every spelling
            text = json.dumps(doc, ensure_ascii=rng.random() < .3, indent=rng.choice([None, 1]))
            (folder / f"m{i:05d}.json").write_text(text, encoding="utf-8")
        print(f"{kind}: {len(seeds)} seeds, {n} mutations", file=sys.stderr)


def run_vellum(vellum, schemas, schema, files):
    """{file: (valid, first message)} from `vellum schema validate`, in batches of 1,000 files."""
    verdicts = {}
    for start in range(0, len(files), 1000):
        batch = files[start:start + 1000]
        known = set(batch)
        result = subprocess.run([vellum, "schema", "validate", str(pathlib.Path(schemas) / schema), *batch,
                                 "--ref", f"local://={schemas}"], capture_output=True, text=True)
        if result.returncode not in (0, 1):
            sys.exit(f"vellum exited {result.returncode} on {schema}: {result.stderr.strip()}")
        current = None
        for line in result.stdout.split("\n"):  # not splitlines(): names may hold U+2028 and the like
            name, sep, rest = line.partition(": ")
            if not (sep and name in known):  # a pointer holding a line break continues the previous line
                continue
            current = name
            if rest == "valid":
                verdicts[current] = (True, "")
            elif rest.startswith("invalid: ") and current not in verdicts:
                verdicts[current] = (False, rest[len("invalid: "):][:200])
        missing = known - verdicts.keys()
        if missing:
            sys.exit(f"vellum printed no verdict for {sorted(missing)[:5]}")
    return verdicts


def check(schemas, out, vellum):
    out = pathlib.Path(out)
    disagreements = []
    for kind, names in (("records", RECORD_SCHEMAS), ("parents", PARENT_SCHEMAS)):
        files = sorted(str(p) for p in (out / kind).glob("*.json"))
        texts = {f: pathlib.Path(f).read_text(encoding="utf-8") for f in files}
        for schema in names:
            v = validator(schemas, schema)
            python = {f: python_verdict(v, texts[f]) for f in files}
            ours = run_vellum(vellum, schemas, schema, files)
            valid = sum(ok for ok, _ in python.values())
            bad = [(f, python[f], ours[f]) for f in files if python[f][0] != ours[f][0]]
            print(f"{schema}: {len(files)} instances, {valid} valid, {len(files) - valid} invalid (Python); "
                  f"{len(bad)} disagreements")
            disagreements += [(schema,) + b for b in bad]
    for schema, f, (pv, pm), (vv, vm) in disagreements:
        print(f"DISAGREE {schema} {f}\n  python: {'valid' if pv else 'invalid'} {pm!r}\n"
              f"  vellum: {'valid' if vv else 'invalid'} {vm!r}")
    return 1 if disagreements else 0


def call(base, token, method, path, body=None):
    """(status, JSON body) of one request to the daemon."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def api(schemas, out, vellum, limit=600):
    """Registers InvenioRDM's schemas with a daemon (references must resolve at registration, so in as many rounds
    as their references need), reads each back, then makes drafts of the first `limit` distinct `metadata` objects
    of the generated records under `rdm/metadata-v6.0.0.json` (record-v6.0.0.json's `metadata` schema): a draft
    with no `errors` (or refused at once, 400) must be what Python finds valid (invalid); the valid ones publish."""
    root = pathlib.Path(schemas)
    documents = {p.relative_to(root).as_posix(): json.loads(p.read_text()) for p in sorted(root.rglob("*.json"))}
    wrapper = {"$schema": "http://json-schema.org/draft-07/schema#",
               "$ref": "local://records/record-v6.0.0.json#/properties/metadata"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base, token = f"http://127.0.0.1:{port}", "rdm-differential-admin-token"
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, VELLUM_DATA_DIR=data, VELLUM_PORT=str(port), VELLUM_BOOTSTRAP_TOKEN=token,
                   VELLUM_LOG_LEVEL="warning")
        env.pop("VELLUM_DATABASE_URL", None)  # the embedded SQLite database
        daemon = subprocess.Popen([vellum, "serve"], env=env)
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/health")
                    break
                except OSError:
                    if daemon.poll() is not None:
                        sys.exit(f"vellum serve exited {daemon.returncode}")
                    time.sleep(0.05)
            pending, rounds = dict(documents), 0
            while pending:
                rounds += 1
                answers = {name: call(base, token, "PUT", f"/schemas/{name}", doc) for name, doc in pending.items()}
                done = {name for name, (status, _) in answers.items() if status in (200, 201)}
                if not done:
                    sys.exit("schemas that never register: " + "; ".join(
                        f"{name}: {answers[name]}" for name in sorted(pending)))
                pending = {name: doc for name, doc in pending.items() if name not in done}
            changed = [name for name, doc in documents.items() if call(base, token, "GET", f"/schemas/{name}") != (200, doc)]
            if changed:
                sys.exit(f"schemas read back differently: {changed}")
            status, _ = call(base, token, "PUT", "/schemas/rdm/metadata-v6.0.0.json", wrapper)
            if status != 201:
                sys.exit(f"the metadata schema did not register: {status}")
            print(f"{len(documents)} schemas registered with PUT /schemas in {rounds} rounds, each read back unchanged")

            python = validator(schemas, "records/record-v6.0.0.json").evolve(schema=wrapper)
            seen, disagreements, valid, published = set(), [], 0, 0
            for f in sorted((pathlib.Path(out) / "records").glob("*.json")):
                doc = json.loads(f.read_text(encoding="utf-8"))
                metadata = doc.get("metadata") if isinstance(doc, dict) else None
                key = json.dumps(metadata, sort_keys=True)
                if not isinstance(metadata, dict) or key in seen:
                    continue
                seen.add(key)
                expected = python.is_valid(metadata)
                status, record = call(base, token, "POST", "/records", {
                    "$schema": "local://rdm/metadata-v6.0.0.json", "metadata": metadata, "files": {"enabled": False}})
                ours = status == 201 and not record.get("errors")
                if status not in (201, 400):
                    sys.exit(f"POST /records answered {status} for {f}: {record}")
                if ours != expected:
                    disagreements.append((f, expected, status, record.get("errors") or record.get("message")))
                elif ours:
                    valid += 1
                    status, answer = call(base, token, "POST", f"/records/{record['id']}/publish")
                    published += status in (200, 202)
                    if status not in (200, 202):
                        disagreements.append((f, expected, status, answer))
                if len(seen) == limit:
                    break
        finally:
            daemon.terminate()
            daemon.wait()
    print(f"{len(seen)} records' metadata as drafts of rdm/metadata-v6.0.0.json: {valid} valid (all published: "
          f"{published}), {len(seen) - valid} invalid (Python); {len(disagreements)} disagreements")
    for f, expected, status, detail in disagreements:
        print(f"DISAGREE {f}: python {'valid' if expected else 'invalid'}; vellum {status} {str(detail)[:300]}")
    return 1 if disagreements else 0


def bench(schemas, schema, listing, is_valid):
    """One end-to-end run over the files listed in `listing`, as `vellum schema validate` does it: the registry and
    validator built, every file read and parsed, every error collected (iter_errors), a line per instance printed.
    Its phases' times go to stderr as `name: value unit` lines; with is_valid, a second pass with is_valid (which
    stops at the first error) is timed too."""
    start = time.perf_counter()
    v = validator(schemas, schema)
    built = time.perf_counter()
    files = pathlib.Path(listing).read_text().split("\n")[:-1]
    instances = [json.loads(pathlib.Path(f).read_text(encoding="utf-8")) for f in files]
    parsed = time.perf_counter()
    errors = [list(v.iter_errors(i)) for i in instances]
    validated = time.perf_counter()
    for f, e in zip(files, errors):
        print(f"{f}: valid" if not e else f"{f}: invalid: {e[0].message[:100]!r}")
    done = time.perf_counter()
    report = sys.stderr
    print(f"python_build_validator: {(built - start) * 1000:.1f} ms", file=report)
    print(f"python_read_parse: {(parsed - built) * 1000:.1f} ms", file=report)
    print(f"python_validate_only: {(validated - parsed) * 1000:.1f} ms", file=report)
    print(f"python_end_to_end_in_process: {(done - start) * 1000:.1f} ms", file=report)
    print(f"python_valid_instances: {sum(1 for e in errors if not e)} count", file=report)
    if is_valid:
        t = time.perf_counter()
        for i in instances:
            v.is_valid(i)
        print(f"python_validate_only_is_valid: {(time.perf_counter() - t) * 1000:.1f} ms", file=report)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract"); p.add_argument("wheels", nargs="+"); p.add_argument("out")
    p = sub.add_parser("generate"); p.add_argument("schemas"); p.add_argument("out")
    p.add_argument("-n", type=int, default=3000); p.add_argument("--seed", default="vellum-rdm")
    p = sub.add_parser("check"); p.add_argument("schemas"); p.add_argument("out"); p.add_argument("vellum")
    p = sub.add_parser("api"); p.add_argument("schemas"); p.add_argument("out"); p.add_argument("vellum")
    p = sub.add_parser("bench"); p.add_argument("schemas"); p.add_argument("schema"); p.add_argument("listing")
    p.add_argument("--is-valid", action="store_true")
    a = parser.parse_args()
    if a.command == "extract":
        extract(a.wheels, a.out)
    elif a.command == "generate":
        generate(a.schemas, a.out, a.n, a.seed)
    elif a.command == "check":
        sys.exit(check(a.schemas, a.out, a.vellum))
    elif a.command == "api":
        sys.exit(api(a.schemas, a.out, a.vellum))
    else:
        bench(a.schemas, a.schema, a.listing, a.is_valid)


if __name__ == "__main__":
    main()
