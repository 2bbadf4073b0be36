#!/usr/bin/env bash
# Prepares the outside readers the PID tests use, in one virtual environment kept between runs, and prints the path
# of its Python (VELLUM_PID_PYTHON): DataCite's own `datacite` 1.4.1 (its JSON Schema 4.5 and its JSON-to-XML writer,
# which the DataCite stand-in and scripts/exports_check.py use) and `signposting` 0.9.9 (scripts/signposting_check.py),
# both wheels checked by SHA-256, with jsonschema, lxml, citeproc-py (CSL), pybtex and pylatexenc (BibTeX, and the
# LaTeX in it read back as text), rdflib (JSON-LD) and their dependencies pinned by version. Beside them, in
# $ENV/xsd, the XML Schemas scripts/exports_check.py validates with, from two source distributions checked by
# SHA-256: DataCite's kernel-4.5 metadata.xsd and its includes (the `datacite` 1.4.0 sdist's tests/data/4.5; its
# 1.4.1 sdist no longer ships them) and OAI-PMH's oai_dc.xsd with the simple Dublin Core schema it imports (the
# `core-oaipmh-provider-app` 2.23.0 sdist), and OAI-PMH.xsd itself, the official strict copy (the `cubicweb-oaipmh`
# 1.0.1 sdist's; pyoai 2.5.0's copy skips the contents of <metadata>). The OAI tests harvest with `sickle` 0.7.0
# (scripts/oai_check.py).
set -euo pipefail
ENV="${VELLUM_PID_ENV:-/tmp/vellum-pid-oracles}"
if ! "$ENV/bin/python" -c 'import citeproc, pybtex, pylatexenc, rdflib, lxml, signposting, sickle; import importlib.metadata as m; assert m.version("datacite") == "1.4.1" and signposting.__version__ == "0.9.9"' 2>/dev/null; then
  if ! dpkg -s python3-venv >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" datacite==1.4.1 signposting==0.9.9 Sickle==0.7.0 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
782ca32fe423c66bc74d7b4ee39cb22190c128e1e61a188becda12fd6f91d23b  datacite-1.4.1-py3-none-any.whl
8e9575ddbac52a0acbec9aeaf83edeadb3a4ff512f4563ec8903f7616a38eaaa  signposting-0.9.9-py3-none-any.whl
6ace7b1d1fc76571fe0dbfefc2c49e5e6c026e2d0dcaae521f4da21e98d4bc85  Sickle-0.7.0-py3-none-any.whl
SUMS
  "$ENV/bin/pip" install -q "$ENV"/wheels/*.whl jsonschema==4.26.0 lxml==6.2.0 citeproc-py==0.11.1 pybtex==0.26.1 \
    pylatexenc==2.10 rdflib==7.6.0 idutils==1.7.1 jsonresolver==0.5.2 requests==2.34.2 httplink==0.2.0 rfc3987==1.3.8 \
    beautifulsoup4==4.15.0 soupsieve==4.1.4 urllib3==2.8.0 idna==3.20 certifi==2026.10.19.post1 \
    charset-normalizer==3.5.3 typing-extensions==4.16.0 attrs==26.1.0 isbnlib2==3.11.24 jsonschema-specifications==2025.9.1 \
    latexcodec==3.0.1 MarkupSafe==3.0.4 pluggy==1.7.0 pyparsing==3.3.3 PyYAML==6.0.4 referencing==0.37.0 rpds-py==2026.9.1 \
    Werkzeug==3.1.9 >&2
fi
XSD="$ENV/xsd"
if [ ! -f "$XSD/.ready-v2" ]; then
  rm -rf "$XSD"
  mkdir -p "$XSD/sdists"
  "$ENV/bin/pip" download -q --no-deps --no-binary :all: -d "$XSD/sdists" datacite==1.4.0 core-oaipmh-provider-app==2.23.0 \
    cubicweb-oaipmh==1.0.1 >&2
  (cd "$XSD/sdists" && sha256sum --check --quiet >&2) <<'SUMS'
f7f55fe27a64ac64a4fbee49372007e966871a456c38497ccb2cc856c611679a  datacite-1.4.0.tar.gz
4df9ca2de912d3cbb73ed2b8d55de18c3bb23a95bf900a767cc8d6d1dfddd038  core_oaipmh_provider_app-2.23.0.tar.gz
e5c7672477568c56ed50c185426837741d55127bf10442db11850496f558d4bf  cubicweb-oaipmh-1.0.1.tar.gz
SUMS
  mkdir -p "$XSD/datacite-4.5" "$XSD/oai_dc" "$XSD/oai-pmh"
  tar -xzf "$XSD/sdists/datacite-1.4.0.tar.gz" -C "$XSD/datacite-4.5" --strip-components=4 datacite-1.4.0/tests/data/4.5/metadata.xsd \
    datacite-1.4.0/tests/data/4.5/include
  tar -xzf "$XSD/sdists/core_oaipmh_provider_app-2.23.0.tar.gz" -C "$XSD/oai_dc" --strip-components=5 \
    core_oaipmh_provider_app-2.23.0/core_oaipmh_provider_app/static/core_oaipmh_provider_app/xsd
  tar -xzf "$XSD/sdists/cubicweb-oaipmh-1.0.1.tar.gz" -C "$XSD/oai-pmh" --strip-components=3 cubicweb-oaipmh-1.0.1/test/data/OAI-PMH.xsd
  for schema in datacite-4.5/metadata.xsd datacite-4.5/include/xml.xsd oai_dc/oai_dc.xsd oai_dc/simpledc20021212.xsd oai-pmh/OAI-PMH.xsd; do
    test -f "$XSD/$schema"
  done
  touch "$XSD/.ready-v2"
fi
echo "$ENV/bin/python"
