#!/usr/bin/env bash
# Release-mode benchmark of OAI-PMH (api.md §10): a full `ListRecords` harvest (oai_dc, 100 records a page, following
# resumption tokens) of N (5,000) published records made from this machine's Debian packages
# (benchmarks/search_bench.py), by one client reading each page whole, RUNS (3) times on SQLite; prints records per
# second (the median run) and the seconds of the whole harvest. Invenio's invenio-oaiserver needs an
# Elasticsearch/OpenSearch cluster, which cannot run here: the figure stands alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
N="${N:-5000}"
RUNS="${RUNS:-3}"
OUT="${OUT_DIR:-/tmp/vellum-bench-oai}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh
build_release
start_server
python3 benchmarks/search_bench.py import "$BASE" "$TOKEN" "$N" > /dev/null
rates=()
for run in $(seq "$RUNS"); do
  rates+=("$(python3 - "$BASE/oai2d" "$N" <<'PY'
import re, sys, time, urllib.parse, urllib.request
base, expected = sys.argv[1], int(sys.argv[2])
query, records, started = "verb=ListRecords&metadataPrefix=oai_dc", 0, time.monotonic()
while True:
    text = urllib.request.urlopen(f"{base}?{query}").read().decode()
    records += text.count("<record>")
    token = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", text)
    if not token:
        break
    query = "verb=ListRecords&resumptionToken=" + urllib.parse.quote(token.group(1))
elapsed = time.monotonic() - started
assert records == expected, f"{records} records harvested, {expected} published"
print(f"{records / elapsed:.1f} {elapsed:.2f}")
PY
)")
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
emit "oai_listrecords_${N}_rate" "$(echo "$median" | cut -d' ' -f1)" records/s
emit "oai_listrecords_${N}_seconds" "$(echo "$median" | cut -d' ' -f2)" s
cp "$OUT/raw.txt" "$OUT/results.txt"
