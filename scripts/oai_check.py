#!/usr/bin/env python3
"""OAI-PMH from outside, with schemas and a harvester nobody on the team wrote.

  oai_check.py validate DIR
      Validates every DIR/*.xml against OAI-PMH.xsd (the pyoai sdist's), with the payloads against their own schemas
      (oai_dc.xsd, DataCite's kernel-4.5 metadata.xsd, DataCite's oai-1.1 oai.xsd): one JSON line per file,
      {"file", "error": the OAI error code or null, "records": n}; exit status 1 if any file is not valid.
  oai_check.py harvest BASE VERB [NAME=VALUE ...] [--pages N] [--pause-after K SECONDS]
      Harvests with PyPI's sickle from BASE (`.../oai2d`), every page validated as above; with --pages, stops after
      N pages; with --pause-after, waits SECONDS after page K. Prints one JSON object: {"items": [[identifier,
      datestamp, deleted, [setSpec, ...]], ...], "pages", "token": where it stopped (null at the end), "error": the
      OAI error code that ended it or null, "response_date": the first page's}.

XSD folder: this Python's prefix/xsd, as scripts/pid-oracles.sh lays it out. DataCite's oai-1.1 oai.xsd is in no
Debian or PyPI package: OAI_DATACITE below declares the structure it publishes, and each payload's resource is
validated against kernel 4.5 on its own as well.
"""
import json
import pathlib
import sys
import tempfile
import time

from lxml import etree
from sickle import Sickle
from sickle.iterator import OAIItemIterator
from sickle.oaiexceptions import OAIError

from xsd_local import parser, validate

OAI = "{http://www.openarchives.org/OAI/2.0/}"
FOLDER = pathlib.Path(sys.prefix) / "xsd"
SCHEMAS = {
    "http://www.openarchives.org/OAI/2.0/": FOLDER / "oai-pmh" / "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": FOLDER / "oai_dc" / "oai_dc.xsd",
    "http://datacite.org/schema/kernel-4": FOLDER / "datacite-4.5" / "metadata.xsd",
}
OAI_DATACITE = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://schema.datacite.org/oai/oai-1.1/"
    xmlns:oai_datacite="http://schema.datacite.org/oai/oai-1.1/" elementFormDefault="qualified">
  <xs:element name="oai_datacite" type="oai_datacite:rootType"/>
  <xs:complexType name="rootType">
    <xs:all>
      <xs:element name="datacentreSymbol" type="xs:string"/>
      <xs:element name="schemaVersion"/>
      <xs:element name="payload"/>
    </xs:all>
  </xs:complexType>
</xs:schema>"""


def schema():
    """The envelope's schema importing every payload's, so that `<metadata>` (strict) is checked too; and DataCite's
    kernel 4.5 alone."""
    stand_in = pathlib.Path(tempfile.mkdtemp()) / "oai_datacite.xsd"
    stand_in.write_text(OAI_DATACITE)
    locations = dict(SCHEMAS, **{"http://schema.datacite.org/oai/oai-1.1/": stand_in})
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>' for ns, path in locations.items())
    text = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    kernel = etree.XMLSchema(etree.parse(str(SCHEMAS["http://datacite.org/schema/kernel-4"]), parser(FOLDER)))
    return etree.XMLSchema(etree.fromstring(text, parser(FOLDER))), kernel


def check(schemas, text):
    """Validates one response; its error code (or None) and its number of records."""
    document = etree.fromstring(text.encode() if isinstance(text, str) else text)
    validate(schemas[0], document)
    for resource in document.iterfind(".//{http://schema.datacite.org/oai/oai-1.1/}payload/*"):
        validate(schemas[1], etree.ElementTree(resource))
    error = document.find(OAI + "error")
    return (error.get("code") if error is not None else None), len(document.findall(f".//{OAI}record"))


def validate_folder(folder):
    xsd = schema()
    failed = 0
    for path in sorted(pathlib.Path(folder).glob("*.xml")):
        try:
            error, records = check(xsd, path.read_bytes())
            print(json.dumps({"file": path.name, "error": error, "records": records}))
        except Exception as e:  # noqa: BLE001 - every failure is reported, with its file
            failed += 1
            print(json.dumps({"file": path.name, "invalid": str(e)}))
    return 1 if failed else 0


def harvest(base, verb, arguments, pages=None, pause=None):
    xsd = schema()
    state = {"pages": 0, "response_date": None}

    class Checked(OAIItemIterator):
        def _next_response(self):
            if pages is not None and state["pages"] >= pages:
                raise StopIteration
            if pause and state["pages"] == pause[0]:
                time.sleep(pause[1])
            super()._next_response()
            check(xsd, self.oai_response.raw)
            state["pages"] += 1
            if state["response_date"] is None:
                state["response_date"] = self.oai_response.xml.findtext(OAI + "responseDate")

    items, token, error = [], None, None
    iterator = None
    try:
        iterator = Sickle(base, iterator=Checked, timeout=120).ListRecords(ignore_deleted=False, **arguments) if verb == "ListRecords" \
            else Sickle(base, iterator=Checked, timeout=120).ListIdentifiers(ignore_deleted=False, **arguments)
        for item in iterator:
            header = item.header if verb == "ListRecords" else item
            items.append([header.identifier, header.datestamp, header.deleted, header.setSpecs])
    except OAIError as e:
        error = type(e).__name__[0].lower() + type(e).__name__[1:]
    except StopIteration:
        pass
    if iterator is not None and iterator.resumption_token and iterator.resumption_token.token:
        token = iterator.resumption_token.token
    print(json.dumps({"items": items, "pages": state["pages"], "token": token, "error": error,
                      "response_date": state["response_date"]}))
    return 0


def main(argv):
    if argv[:1] == ["validate"] and len(argv) == 2:
        return validate_folder(argv[1])
    if argv[:1] == ["harvest"] and len(argv) >= 3:
        base, verb, rest = argv[1], argv[2], argv[3:]
        arguments, pages, pause = {}, None, None
        while rest:
            if rest[0] == "--pages":
                pages, rest = int(rest[1]), rest[2:]
            elif rest[0] == "--pause-after":
                pause, rest = (int(rest[1]), float(rest[2])), rest[3:]
            else:
                name, _, value = rest[0].partition("=")
                arguments[name], rest = value, rest[1:]
        return harvest(base, verb, arguments, pages, pause)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
