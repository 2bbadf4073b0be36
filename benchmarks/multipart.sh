#!/usr/bin/env bash
# Release-mode benchmark of a multipart upload on 127.0.0.1: a 2 GiB file sent as 32 parts of 64 MiB, 4 at a time
# and roughly in order (curl, one process per part), then completed. Prints the upload MB/s (init to last part),
# the completion latency, and that latency divided by the time `openssl dgst -md5` takes over the same file in the
# same run (target <= 0.25: the whole-file digests are computed while the parts arrive).
# Env: RUNS (3: medians), INPUT_DIR (/tmp/invenio-bench-input), OUT_DIR (/tmp/vellum-bench-multipart).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
INPUT_DIR="${INPUT_DIR:-/tmp/invenio-bench-input}"
BIG="$INPUT_DIR/big-2GiB.bin"
SIZE=$((2 << 30)); PART=$((64 << 20)); PARTS=$((SIZE / PART))
OUT="${OUT_DIR:-/tmp/vellum-bench-multipart}"
mkdir -p "$INPUT_DIR" "$OUT"
: > "$OUT/raw.txt"

swift build -c release --product vellum >&2
BIN=.build/release/vellum
source benchmarks/lib.sh
ensure_input "$BIG" "$SIZE"

one_run() {
  cat "$BIG" > /dev/null
  local t0 t1; t0=$(now); openssl dgst -md5 "$BIG" > /dev/null; t1=$(now)
  local md5_seconds; md5_seconds=$(calc "$t1 - $t0" 3)
  emit openssl_md5_2GiB_seconds "$md5_seconds" s

  start_server
  local auth="Authorization: Bearer $TOKEN"
  local bucket; bucket=$(mkbucket)
  local url="$BASE/files/$bucket/big.bin"

  t0=$(now)
  local upload; upload=$(curl -sf -X POST -H "$auth" "$url?uploads&size=$SIZE&partSize=$PART" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  export BIG PART url upload auth
  seq 0 $((PARTS - 1)) | xargs -P 4 -I{} sh -c \
    'dd if="$BIG" bs="$PART" skip={} count=1 iflag=fullblock status=none \
       | curl -sf -o /dev/null -X PUT -H "$auth" -H "Content-Type: application/octet-stream" --data-binary @- \
         "$url?uploadId=$upload&partNumber={}"'
  t1=$(now)
  emit multipart_upload_2GiB_4x64MiB "$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)" MB/s
  local done; done=$(curl -s -o "$OUT/complete.json" -w '%{http_code} %{time_total}' -X POST -H "$auth" "$url?uploadId=$upload")
  [ "${done%% *}" = 200 ] || { echo "completion failed: $done $(cat "$OUT/complete.json")" >&2; exit 1; }
  emit multipart_complete_seconds "$(calc "${done#* }" 3)" s
  emit multipart_complete_over_md5_time "$(calc "${done#* } / $md5_seconds" 3)" ratio
  local md5; md5=$(curl -sf -H "$auth" "$BASE/files/$bucket?size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contents"][0]["checksum"])')
  [ "$md5" = "md5:$(md5sum < "$BIG" | cut -d' ' -f1)" ] || { echo "checksum mismatch: $md5" >&2; exit 1; }
  stop_server
}

for r in $(seq 1 "$RUNS"); do echo "=== run $r/$RUNS ===" >&2; one_run; done
echo "=== medians ==="
medians
