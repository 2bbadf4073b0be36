"""XML Schemas read from the folder scripts/pid-oracles.sh lays out, with the schemas they import by URL read from
that folder too (nothing is fetched)."""
from lxml import etree


class LocalSchemas(etree.Resolver):
    def __init__(self, folder):
        super().__init__()
        self.files = {
            "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": folder / "oai_dc" / "simpledc20021212.xsd",
            "http://www.w3.org/2001/03/xml.xsd": folder / "datacite-4.5" / "include" / "xml.xsd",
        }

    def resolve(self, url, pubid, context):
        if url in self.files:
            return self.resolve_filename(str(self.files[url]), context)
        return None


def parser(folder):
    result = etree.XMLParser(no_network=True)
    result.resolvers.add(LocalSchemas(folder))
    return result


def xml_schema(path, folder):
    return etree.XMLSchema(etree.parse(str(path), parser(folder)))


def validate(schema, document):
    if not schema.validate(document):
        raise AssertionError("; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:3]))
