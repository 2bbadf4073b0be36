#!/usr/bin/env bash
# Downloads the pinned PyPI source distributions that carry outside JSON test suites, once, checks their SHA-256,
# unpacks them, and prints the folder that holds them (the value for VELLUM_JSON_SUITES):
#   jsonpatch-1.33/tests.js         JSON Patch (RFC 6902) cases
#   jsonschema-4.26.0/json/         the official JSON-Schema-Test-Suite
#   jsonschema_specifications-2025.9.1/jsonschema_specifications/schemas/   the drafts' metaschemas
# Usage: export VELLUM_JSON_SUITES="$(scripts/json-test-suites.sh)"
set -euo pipefail

folder="${VELLUM_JSON_SUITES:-/tmp/vellum-json-suites}"
mkdir -p "$folder"
cd "$folder"

# The pins: name, version, and the SHA-256 of the sdist.
cat > sdists.sha256 <<'SUMS'
9fcd4009c41e6d12348b4a0ff2563ba56a2923a7dfee731d004e212e1ee5030c  jsonpatch-1.33.tar.gz
0c26707e2efad8aa1bfc5b7ce170f3fccc2e4918ff85989ba9ffa9facb2be326  jsonschema-4.26.0.tar.gz
b540987f239e745613c7a9176f3edb72b832a4ac465cf02712288397832b5e8d  jsonschema_specifications-2025.9.1.tar.gz
SUMS

for pin in jsonpatch==1.33 jsonschema==4.26.0 jsonschema_specifications==2025.9.1; do
    archive="${pin/==/-}.tar.gz"
    if [ ! -f "$archive" ]; then
        pip download --quiet --no-binary :all: --no-deps --dest . "$pin" >&2
    fi
done

sha256sum --check --quiet sdists.sha256 >&2

for archive in jsonpatch-1.33.tar.gz jsonschema-4.26.0.tar.gz jsonschema_specifications-2025.9.1.tar.gz; do
    if [ ! -d "${archive%.tar.gz}" ]; then
        tar -xzf "$archive"
    fi
done

test -f jsonpatch-1.33/tests.js
test -d jsonschema-4.26.0/json/tests/draft2020-12
echo "$folder"
