#!/usr/bin/env python3
"""Reads every export in DIR with readers and schemas nobody on the team wrote; one line per file, then the numbers of
files and failures; exit status 1 on any failure (2 when DIR holds no export at all).

  NAME.datacite.json  validates against DataCite's JSON Schema 4.5 (the `datacite` wheel's datacite-v4.5.json)
  NAME.datacite.xml   validates against DataCite's kernel-4.5 XML Schema (metadata.xsd), and says what DataCite's own
                      writer (datacite.schema45.tostring) says when given NAME.datacite.json: the same elements, texts
                      and attributes
  NAME.jsonld         parses as JSON-LD with rdflib (schema.org's context read as its vocabulary, offline): the
                      resource has its schema:name, its type and one schema:creator per creator
  NAME.csl.json       citeproc-py renders a bibliography entry (its bundled Harvard style) with the title and year
  NAME.bib            pybtex parses one @misc entry with title, year, publisher and url; the title, read back from
                      LaTeX by pylatexenc, is the record's; one person per creator
  NAME.dc.xml         validates against OAI-PMH's oai_dc.xsd (with the simple Dublin Core schema it imports)
NAME.expect.json holds what each reader must find: {"title", "year", "creators", "doi"}.

Usage: exports_check.py DIR [XSD_DIR]   XSD_DIR (default: this Python's prefix/xsd, as scripts/pid-oracles.sh lays
                                         it out) holds datacite-4.5/metadata.xsd and oai_dc/oai_dc.xsd
"""
import json
import pathlib
import re
import sys
import urllib.parse
import warnings

warnings.filterwarnings("ignore")

import citeproc
import datacite.schema45
import jsonschema
import rdflib
from citeproc.source.json import CiteProcJSON
from lxml import etree
from pybtex.database import parse_string
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from xsd_local import validate, xml_schema

SCHEMA = json.loads((pathlib.Path(datacite.__file__).parent / "schemas" / "datacite-v4.5.json").read_text())
VALIDATOR = jsonschema.Draft201909Validator(SCHEMA)
DATACITE = "http://datacite.org/schema/kernel-4"
DC = "http://purl.org/dc/elements/1.1/"
LATEX = get_default_latex_context_db()  # and LaTeX's text commands pylatexenc does not list
LATEX.add_context_category("text symbols", prepend=True, macros=[
    MacroTextSpec(name, text) for name, text in
    [("textbraceleft", "{"), ("textbraceright", "}"), ("textless", "<"), ("textgreater", ">")]])


def datacite_json(path, expected, schemas):
    data = json.loads(path.read_text())
    errors = sorted(VALIDATOR.iter_errors(data), key=str)
    assert not errors, "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
    assert data["titles"][0]["title"] == expected["title"], "another title"
    assert data["publicationYear"] == expected["year"], "another year"
    assert data.get("doi") == expected["doi"], "another DOI"
    assert len(data["creators"]) == max(1, len(expected["creators"])), "another number of creators"


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


def datacite_xml(path, expected, schemas):
    ours = etree.parse(str(path))
    validate(schemas["datacite"], ours)
    ours = ours.getroot()
    data = json.loads(path.with_name(path.name.replace(".datacite.xml", ".datacite.json")).read_text())
    theirs = etree.fromstring(datacite.schema45.tostring(data).encode())
    a, b = shape(ours), shape(theirs)
    if "doi" not in data:  # DataCite's writer leaves the identifier out when there is none; kernel-4 requires one
        a = [x for x in a if x[0] != "/resource/identifier"]
    missing, extra = [x for x in b if x not in a], [x for x in a if x not in b]
    assert not missing and not extra, f"DataCite writes {missing[:3]} that we do not; we write {extra[:3]}"
    assert ours.find(f"{{{DATACITE}}}titles/{{{DATACITE}}}title").text == expected["title"], "another title"


def jsonld(path, expected, schemas):
    data = json.loads(path.read_text())
    assert data["@context"] == "https://schema.org"
    data["@context"] = {"@vocab": "https://schema.org/"}  # schema.org's context, without fetching it
    graph = rdflib.Graph().parse(data=json.dumps(data), format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    subject = rdflib.URIRef(data["@id"])
    assert (subject, schema.name, rdflib.Literal(expected["title"])) in graph, "no schema:name with the title"
    assert (subject, rdflib.RDF.type, schema[data["@type"]]) in graph, "no type"
    creators = list(graph.objects(subject, schema.creator))
    assert len(creators) == len(expected["creators"]), f"{len(creators)} schema:creator"
    if expected["doi"]:
        identifiers = [urllib.parse.unquote(str(o)) for o in graph.objects(subject, schema.identifier)]
        assert identifiers == ["https://doi.org/" + expected["doi"]], f"the identifiers are {identifiers}"


def csl(path, expected, schemas):
    items = json.loads(path.read_text())
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(items[0]["id"])]))
    text = " ".join(str(entry) for entry in bibliography.bibliography())
    word = max(re.findall(r"\w+", expected["title"]) or [""], key=len)
    assert word in text, f"{word!r} of the title is not in {text[:200]!r}"
    assert expected["year"] in text, f"the year is not in {text[:200]!r}"


def plain(text):
    """Text with its runs of white space as one space, and the circumflex as one."""
    return " ".join(text.replace("\u02c6", "^").replace("\xa0", " ").split())


def bibtex(path, expected, schemas):
    data = parse_string(path.read_text(), "bibtex")
    assert len(data.entries) == 1
    entry = next(iter(data.entries.values()))
    assert entry.type == "misc"
    for field in ("title", "year", "publisher", "url"):
        assert field in entry.fields, f"no {field}"
    title = plain(LatexNodes2Text(latex_context=LATEX).latex_to_text(entry.fields["title"]))
    assert title == plain(expected["title"]), f"the title reads {title[:120]!r}"
    assert entry.fields["year"] == expected["year"], "another year"
    persons = entry.persons.get("author", [])
    assert len(persons) == len(expected["creators"]), f"{len(persons)} authors: {[str(p) for p in persons][:5]}"
    if expected["doi"]:
        assert urllib.parse.unquote(entry.fields.get("doi", "")) == expected["doi"], "another DOI"


def dublin_core(path, expected, schemas):
    document = etree.parse(str(path))
    validate(schemas["oai_dc"], document)
    root = document.getroot()
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    assert root.find(f"{{{DC}}}title").text == expected["title"], "another title"
    assert len(root.findall(f"{{{DC}}}creator")) == len(expected["creators"]), "another number of creators"


CHECKS = {".datacite.json": datacite_json, ".datacite.xml": datacite_xml, ".jsonld": jsonld, ".csl.json": csl,
          ".bib": bibtex, ".dc.xml": dublin_core}


def main(folder, xsd):
    schemas = {"datacite": xml_schema(xsd / "datacite-4.5" / "metadata.xsd", xsd),
               "oai_dc": xml_schema(xsd / "oai_dc" / "oai_dc.xsd", xsd)}
    failures = checked = 0
    for path in sorted(pathlib.Path(folder).iterdir()):
        check = next((f for suffix, f in CHECKS.items() if path.name.endswith(suffix)), None)
        if check is None:
            continue
        checked += 1
        expected = json.loads(path.with_name(path.name.split(".")[0] + ".expect.json").read_text())
        try:
            check(path, expected, schemas)
            print(f"ok {path.name}")
        except Exception as error:
            failures += 1
            print(f"FAILED {path.name}: {type(error).__name__}: {error}")
    print(f"{checked} files read, {failures} failures")
    if checked == 0:
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    xsd_folder = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path(sys.prefix) / "xsd"
    sys.exit(main(sys.argv[1], xsd_folder))
