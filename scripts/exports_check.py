#!/usr/bin/env python3
"""Reads every export in DIR with readers nobody on the team wrote; one line per file, exit status 1 on any failure.

  NAME.datacite.json  validates against DataCite's JSON Schema 4.5 (the `datacite` wheel's datacite-v4.5.json)
  NAME.datacite.xml   parses, and says what DataCite's own writer (datacite.schema45.tostring) says when given
                      NAME.datacite.json: the same elements, texts and attributes (kernel-4's XSD is on no PyPI or
                      Debian package, so DataCite's writer stands for it)
  NAME.jsonld         parses as JSON-LD with rdflib (schema.org's context read as its vocabulary, offline) and has
                      the resource's schema:name and type
  NAME.csl.json       citeproc-py renders a bibliography entry with the title
  NAME.bib            pybtex parses one @misc entry with title, year and url; authors as persons
  NAME.dc.xml         parses as oai_dc: a dc root in its namespace holding only the 15 Dublin Core elements
NAME.title holds the record's title, which each reader must find.
"""
import json
import pathlib
import re
import sys
import warnings

warnings.filterwarnings("ignore")

import citeproc
import datacite.schema45
import jsonschema
import rdflib
from citeproc.source.json import CiteProcJSON
from lxml import etree
from pybtex.database import parse_string
from pybtex.richtext import Text

SCHEMA = json.loads((pathlib.Path(datacite.__file__).parent / "schemas" / "datacite-v4.5.json").read_text())
VALIDATOR = jsonschema.Draft201909Validator(SCHEMA)
DC = "http://purl.org/dc/elements/1.1/"
DCMES = {"title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
         "identifier", "source", "language", "relation", "coverage", "rights"}


def datacite_json(path, title):
    data = json.loads(path.read_text())
    errors = sorted(VALIDATOR.iter_errors(data), key=str)
    assert not errors, "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
    assert data["titles"][0]["title"] == title


def shape(element):
    """Every element as (path, text, attributes), order aside."""
    found = []
    def walk(node, path):
        name = etree.QName(node).localname
        attributes = tuple(sorted((etree.QName(k).localname, v) for k, v in node.attrib.items() if "schemaLocation" not in k))
        found.append((path + "/" + name, (node.text or "").strip(), attributes))
        for child in node:
            walk(child, path + "/" + name)
    walk(element, "")
    return sorted(found)


def datacite_xml(path, title):
    ours = etree.fromstring(path.read_bytes())
    assert etree.QName(ours).namespace == "http://datacite.org/schema/kernel-4"
    data = json.loads(path.with_name(path.name.replace(".datacite.xml", ".datacite.json")).read_text())
    identifier = ours.find("{http://datacite.org/schema/kernel-4}identifier").text
    if identifier != "(:tba)":
        data["identifiers"] = [{"identifier": identifier, "identifierType": "DOI"}]
        data["doi"] = identifier
    theirs = etree.fromstring(datacite.schema45.tostring(data).encode())
    a, b = shape(ours), shape(theirs)
    if identifier == "(:tba)":  # DataCite's writer leaves the identifier out when there is none
        a = [x for x in a if x[0] != "/resource/identifier"]
    missing, extra = [x for x in b if x not in a], [x for x in a if x not in b]
    assert not missing and not extra, f"DataCite writes {missing[:3]} that we do not; we write {extra[:3]}"
    assert any(p == "/resource/titles/title" and t == title for p, t, _ in a)


def jsonld(path, title):
    data = json.loads(path.read_text())
    data["@context"] = {"@vocab": "https://schema.org/"}  # schema.org's context, without fetching it
    graph = rdflib.Graph().parse(data=json.dumps(data), format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    subject = rdflib.URIRef(data["@id"])
    assert (subject, schema.name, rdflib.Literal(title)) in graph, "no schema:name"
    assert (subject, rdflib.RDF.type, schema[data["@type"]]) in graph, "no type"


def csl(path, title):
    items = json.loads(path.read_text())
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(items[0]["id"])]))
    text = "".join(str(entry) for entry in bibliography.bibliography())
    assert title.split()[0] in text, f"the title is not in {text!r}"


def bibtex(path, title):
    data = parse_string(path.read_text(), "bibtex")
    assert len(data.entries) == 1
    entry = next(iter(data.entries.values()))
    assert entry.type == "misc"
    for field in ("title", "year", "url"):
        assert field in entry.fields, f"no {field}"
    plain = Text.from_latex(entry.fields["title"]).render_as("text")
    word = max(re.findall(r"\w+", title) or [""], key=len)
    assert word in plain, f"{word!r} is not in the title pybtex reads, {plain!r}"
    for person in entry.persons.get("author", []):
        assert str(person), "an empty author"


def dublin_core(path, title):
    root = etree.fromstring(path.read_bytes())
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    for child in root:
        name = etree.QName(child)
        assert name.namespace == DC and name.localname in DCMES, f"{child.tag} is no Dublin Core element"
    assert root.find(f"{{{DC}}}title").text == title


CHECKS = {".datacite.json": datacite_json, ".datacite.xml": datacite_xml, ".jsonld": jsonld, ".csl.json": csl,
          ".bib": bibtex, ".dc.xml": dublin_core}


def main(folder):
    failures = 0
    for path in sorted(pathlib.Path(folder).iterdir()):
        check = next((f for suffix, f in CHECKS.items() if path.name.endswith(suffix)), None)
        if check is None:
            continue
        title = path.with_name(path.name.split(".")[0] + ".title").read_text()
        try:
            check(path, title)
            print(f"ok {path.name}")
        except Exception as error:
            failures += 1
            print(f"FAILED {path.name}: {type(error).__name__}: {error}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
