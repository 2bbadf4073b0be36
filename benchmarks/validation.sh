#!/usr/bin/env bash
# Release-mode benchmark of record validation: COUNT (10,000) records checked against InvenioRDM's record schema
# (record-v6.0.0.json of invenio-rdm-records 36.0.0, with the definitions it refers to) by `vellum schema validate`,
# and by Python's jsonschema 4.26.0 (Draft7Validator and a `referencing` registry, what Invenio uses) in the same run.
# The records are the differential test's (scripts/rdm-differential.sh, same generator and seed): its edge cases
# and the first of its seeded random mutations of hand-built records, a mix of valid and invalid (counts printed;
# each side's count of valid ones must agree). Both sides collect every error of every record, no `format`.
#   - vellum_end_to_end: one process over a directory of the COUNT files (reading, parsing, compiling, validating,
#     printing); vellum_one_record: the same for one file (start-up, schema compilation), and vellum_per_record
#     the difference over COUNT - 1; vellum_baseline: a directory of COUNT files holding `{}` (start-up,
#     compilation, reading files), and vellum_validation, end to end minus it: parsing and validating the records;
#   - python_end_to_end: one interpreter doing the same (imports, registry, validator, files, printing);
#     python_validate_only: inside it, the validator alone (built once, the records parsed beforehand);
#     python_validate_only_is_valid: once, a pass of is_valid (stops at the first error);
#   - ratios, Python / Vellum: validate_only_over_vellum_validation (python_validate_only / vellum_validation:
#     Vellum's side still parses its records) and end_to_end_over_vellum_end_to_end. Target ≥ 10×.
# RUNS (5) runs, medians at the end. VELLUM_BIN as in lib.sh, else `swift build -c release --product vellum` here.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-5}"
COUNT="${COUNT:-10000}"
OUT="${OUT_DIR:-/tmp/vellum-bench-validation}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh

[ -n "${VELLUM_BIN:-}" ] || swift build -c release --product vellum >&2
BIN="${VELLUM_BIN:-.build/release/vellum}"
RDM=$(scripts/rdm-differential.sh --prepare)
PY="$RDM/env/bin/python"
SCHEMAS="$RDM/schemas"
SCHEMA="$SCHEMAS/records/record-v6.0.0.json"

# The instances, made once: the generator's record files, sorted (edge cases, then mutations), the first COUNT.
INSTANCES="$RDM/bench-$COUNT"
if [ ! -f "$INSTANCES/list.txt" ]; then
  rm -rf "$INSTANCES"
  "$PY" scripts/rdm_differential.py generate "$SCHEMAS" "$INSTANCES" -n "$COUNT"
  find "$INSTANCES/records" -name '*.json' | sort | head -n "$COUNT" > "$INSTANCES/list.part"
  mv "$INSTANCES/list.part" "$INSTANCES/list.txt"
fi
mapfile -t FILES < "$INSTANCES/list.txt"
[ "${#FILES[@]}" = "$COUNT" ] || { echo "expected $COUNT instances, found ${#FILES[@]}" >&2; exit 1; }
# The same files in one directory (their names keep their order), and as many holding `{}`.
mkdir -p "$OUT/records" "$OUT/empty"
xargs -a "$INSTANCES/list.txt" cp -t "$OUT/records"
[ "$(ls "$OUT/records" | wc -l)" = "$COUNT" ] || { echo "instance names collide" >&2; exit 1; }
for n in $(seq 1 "$COUNT"); do echo '{}' > "$OUT/empty/$n.json"; done

# Seconds one `vellum schema validate` over the given files or directories takes (output kept in $OUT/vellum.txt); exit status 1
# (some invalid) is expected, 2 (schema unusable) is not.
vellum_run() {
  local t0 t1 rc=0
  t0=$(now)
  "$BIN" schema validate "$SCHEMA" "$@" --ref "local://=$SCHEMAS" > "$OUT/vellum.txt" || rc=$?
  t1=$(now)
  [ "$rc" -le 1 ] || { echo "vellum exited $rc" >&2; exit 1; }
  calc "$t1 - $t0" 4
}

for run in $(seq 1 "$RUNS"); do
  echo "# run $run of $RUNS" >&2
  one=$(vellum_run "${FILES[0]}")
  baseline=$(vellum_run "$OUT/empty")
  all=$(vellum_run "$OUT/records")
  emit vellum_one_record "$(calc "$one * 1000" 1)" ms
  emit vellum_baseline "$(calc "$baseline * 1000" 1)" ms
  emit vellum_end_to_end "$(calc "$all * 1000" 1)" ms
  emit vellum_per_record "$(calc "($all - $one) / ($COUNT - 1) * 1e6" 1)" us
  emit vellum_validation "$(calc "($all - $baseline) * 1000" 1)" ms
  t0=$(now)
  "$PY" scripts/rdm_differential.py bench "$SCHEMAS" records/record-v6.0.0.json "$INSTANCES/list.txt" \
    > "$OUT/python.txt" 2> "$OUT/python-phases.txt"
  t1=$(now)
  emit python_end_to_end "$(calc "($t1 - $t0) * 1000" 1)" ms
  while read -r name value unit; do emit "${name%:}" "$value" "$unit"; done < "$OUT/python-phases.txt"
done
# is_valid once (it only decides, as Invenio's `validate` raising on the first error does)
"$PY" scripts/rdm_differential.py bench "$SCHEMAS" records/record-v6.0.0.json "$INSTANCES/list.txt" --is-valid \
  2>&1 >/dev/null | grep is_valid | while read -r name value unit; do emit "${name%:}" "$value" "$unit"; done

vellum_valid=$(grep -c ': valid$' "$OUT/vellum.txt" || true)
python_valid=$(grep -c ': valid$' "$OUT/python.txt" || true)
emit vellum_valid_instances "$vellum_valid" count
emit invalid_instances "$((COUNT - vellum_valid))" count
[ "$vellum_valid" = "$python_valid" ] || { echo "valid counts differ: vellum $vellum_valid, python $python_valid" >&2; exit 1; }

echo "=== medians of $RUNS runs ==="
medians | tee "$OUT/medians.txt"
fig() { awk -v n="$1:" '$1 == n {print $2}' "$OUT/medians.txt"; }
emit validate_only_over_vellum_validation "$(calc "$(fig python_validate_only) / $(fig vellum_validation)" 1)" x
emit is_valid_over_vellum_validation "$(calc "$(fig python_validate_only_is_valid) / $(fig vellum_validation)" 1)" x
emit end_to_end_over_vellum_end_to_end "$(calc "$(fig python_end_to_end) / $(fig vellum_end_to_end)" 1)" x
