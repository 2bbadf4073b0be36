#!/usr/bin/env bash
# Differential test: InvenioRDM's own record schemas, as its PyPI wheels ship them, through `vellum schema validate`
# and through Python's jsonschema (what Invenio validates with): the same verdict, valid or invalid, for every
# instance. The instances (scripts/rdm_differential.py generate): hand-built records and parents valid for
# record-v6.0.0 / parent-v3.0.0 (one is invenio-rdm-records' demo record), edge cases (awkward member names where the
# schemas match names with patterns), then seeded random mutations (N, 3,000 by default) of them: keys dropped, types
# swapped, bad dates, enums and URIs, extra members, empty and repeated items, unicode, huge numbers, subtrees moved.
# Each is checked against every record schema (record-v2 … v6) or parent schema (parent-v1 … v3), Vellum's
# verdicts from a few big runs of the binary. `format` is not asserted on either side (no format checker,
# no --formats). Then the same through a daemon (`vellum serve` on a throw-away data directory): every schema
# registered with PUT /schemas/{name} and read back, and 600 of the records' metadata objects made drafts of a schema
# registered on top of them (record-v6.0.0.json's `metadata`), each draft's `errors` against Python's verdict, the
# valid ones published. Exit status 1 with the disagreements listed (instance, both verdicts, both first messages).
# Usage: scripts/rdm-differential.sh [N]        VELLUM_BIN (default .build/debug/vellum)
#        scripts/rdm-differential.sh --prepare  fetches and unpacks only; prints the folder (for the benchmark)
# The wheels (pinned, SHA-256 checked) go to $VELLUM_RDM (/tmp/vellum-rdm), their `jsonschemas/` trees merged
# into $VELLUM_RDM/schemas as Invenio serves them under local://, the venv to $VELLUM_RDM/env.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg -s python3-venv >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q python3-venv >&2
fi
RDM="${VELLUM_RDM:-/tmp/vellum-rdm}"
ENV="$RDM/env"
mkdir -p "$RDM/wheels"
if ! "$ENV/bin/python" -c 'import importlib.metadata as m; assert m.version("jsonschema") == "4.26.0"' 2>/dev/null; then
  python3 -m venv "$ENV"
  "$ENV/bin/pip" install -q jsonschema==4.26.0 referencing==0.37.0 jsonschema-specifications==2025.9.1 \
    attrs==26.1.0 rpds-py==2026.9.1 typing-extensions==4.16.0 >&2
fi
# invenio-rdm-records holds the record and parent schemas; they refer to the definitions of invenio-records-resources
# (local://definitions-v1.0.0.json), invenio-communities and invenio-requests (the versions it requires).
if [ ! -f "$RDM/schemas/.ready-v1" ]; then
  (cd "$RDM/wheels" && "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d . invenio-rdm-records==36.0.0 \
    invenio-records-resources==11.1.2 invenio-communities==29.3.0 invenio-requests==15.2.2 >&2)
  (cd "$RDM/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
f6679fd76f2a2e170cf04c3e097433b26abba8ed4ecaee0b1c886c989229b52b  invenio_rdm_records-36.0.0-py3-none-any.whl
9d2bed703b1fa8393f9224cfd1c8bf775860bab4659df174b66363da4f2371bb  invenio_records_resources-11.1.2-py3-none-any.whl
726a464c958cdcb6cae4f48bbc7ac910849f1f58732b1471c6de15abc7ff8604  invenio_communities-29.3.0-py3-none-any.whl
363adf87f5824a4e22adc2bd0a24a1e07fd673aad1d580592e33f708bd28d2cf  invenio_requests-15.2.2-py3-none-any.whl
SUMS
  rm -rf "$RDM/schemas"
  "$ENV/bin/python" scripts/rdm_differential.py extract "$RDM"/wheels/invenio_*.whl "$RDM/schemas"
  test -f "$RDM/schemas/records/record-v6.0.0.json"
  touch "$RDM/schemas/.ready-v1"
fi
if [ "${1:-}" = --prepare ]; then echo "$RDM"; exit 0; fi

VELLUM_BIN="${VELLUM_BIN:-.build/debug/vellum}"
rm -rf "$RDM/instances"
"$ENV/bin/python" scripts/rdm_differential.py generate "$RDM/schemas" "$RDM/instances" -n "${1:-3000}"
"$ENV/bin/python" scripts/rdm_differential.py check "$RDM/schemas" "$RDM/instances" "$VELLUM_BIN"
"$ENV/bin/python" scripts/rdm_differential.py api "$RDM/schemas" "$RDM/instances" "$VELLUM_BIN"
