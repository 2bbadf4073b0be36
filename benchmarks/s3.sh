#!/usr/bin/env bash
# Release-mode benchmark of a large file through Vellum to an S3 location, against the AWS CLI talking to the same
# S3 server directly, back to back in each run. The S3 server is moto (scripts/moto.sh, on 127.0.0.1, objects in
# its memory and temporary files); the AWS CLI (PyPI awscli, pinned) is installed into moto's virtual environment.
# Each run, on new S3 buckets (deleted, objects and all, as soon as their download is done, to keep moto small):
#   - `openssl dgst -md5` over the input, page cache warm: the machine's reference;
#   - Vellum: a new daemon on a new data directory whose location `default` is a new S3 bucket; `curl -T` of the
#     input (answered once the object is complete on S3 and committed; Vellum sends 8 MiB parts, a few at a time:
#     S3BlobWriter.inFlight), then `curl` GET to /dev/null (Vellum reads the blob with one streamed GET); the
#     daemon's peak RSS (VmHWM) and peak RssAnon (sampled every 50 ms) over the two;
#   - the AWS CLI: `aws s3 cp FILE s3://...` with its default settings (8 MiB parts, 10 at a time, a CRC32 of each),
#     then `aws s3api get-object ... /dev/null`: one streamed GET too. Not `aws s3 cp s3://... -`: it downloads in
#     8 MiB ranges, and moto reads the whole object for every ranged GET (1 GiB: about 11 MB/s, the CPU in moto),
#     and the CLI's stream to stdout sometimes stalls for good on moto. Response checksums are not checked
#     (AWS_RESPONSE_CHECKSUM_VALIDATION=when_required): moto hands out the CRC32 it keeps of a multipart object as
#     if it were the whole object's, which no download can match. Vellum does not verify a download either;
#   - vellum/aws ratios of the upload and download MB/s of the same run.
# Every transfer is timed by the wall clock around its client, so the AWS CLI's figures include its start (about
# `aws_head_bucket_seconds`: the CLI sending one request). Odd runs measure Vellum first, even runs the AWS CLI first.
# Prints `name: value unit` lines (medians in $OUT/results.txt).
# Env: SIZE_MB (1024), RUNS (3: medians), VELLUM (1; 0: the AWS CLI only, no build), INPUT_DIR
# (/tmp/invenio-bench-input), OUT_DIR (/tmp/vellum-bench-s3), VELLUM_MOTO_ENV (/tmp/vellum-moto).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
VELLUM="${VELLUM:-1}"
SIZE_MB="${SIZE_MB:-1024}"
SIZE=$((SIZE_MB << 20))
if [ $((SIZE_MB % 1024)) = 0 ]; then LABEL="$((SIZE_MB / 1024))GiB"; else LABEL="${SIZE_MB}MiB"; fi
INPUT_DIR="${INPUT_DIR:-/tmp/invenio-bench-input}"
BIG="$INPUT_DIR/big-$LABEL.bin"  # big-1GiB.bin is the file benchmarks/run.sh and the peer use
OUT="${OUT_DIR:-/tmp/vellum-bench-s3}"
AWSCLI_VERSION=1.46.3  # vendors its own botocore and s3transfer: it leaves moto's boto3 and botocore alone
mkdir -p "$INPUT_DIR" "$OUT"
: > "$OUT/raw.txt"

source benchmarks/lib.sh
source scripts/moto.sh
SAMPLER_PID=""
stop_sampler() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  SAMPLER_PID=""
}
trap 'stop_sampler; stop_server; moto_stop; rm -rf "$OUT/runs"' EXIT

if [ "$VELLUM" = 1 ]; then build_release; fi
ensure_input "$BIG" "$SIZE"

TMPDIR="$OUT" moto_start  # its log in $OUT/vellum-moto.log
MOTO_ENV="${VELLUM_MOTO_ENV:-/tmp/vellum-moto}"
if [ "$("$MOTO_ENV/bin/pip" show awscli 2>/dev/null | sed -n 's/^Version: //p')" != "$AWSCLI_VERSION" ]; then
  "$MOTO_ENV/bin/pip" install -q "awscli==$AWSCLI_VERSION"
  "$MOTO_ENV/bin/pip" check >&2
fi
# The AWS CLI with moto's key and built-in settings only (no ~/.aws files).
export AWS_ACCESS_KEY_ID="$VELLUM_TEST_S3_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$VELLUM_TEST_S3_SECRET_ACCESS_KEY"
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$OUT/aws-config" AWS_SHARED_CREDENTIALS_FILE="$OUT/aws-credentials"
: > "$AWS_CONFIG_FILE"
s3cli() { timeout $((300 + SIZE_MB)) "$MOTO_ENV/bin/aws" --endpoint-url "$VELLUM_TEST_S3" "$@"; }
echo "# $(s3cli --version 2>&1), moto at $VELLUM_TEST_S3" >&2

# The largest RssAnon (kB) of process $1 into file $2, every 50 ms while it runs.
rss_anon_sampler() {
  local max=0 key value _
  while kill -0 "$1" 2>/dev/null; do
    while read -r key value _; do
      if [ "$key" = RssAnon: ] && [ "$value" -gt "$max" ]; then max=$value; echo "$max" > "$2"; fi
    done < "/proc/$1/status" 2>/dev/null || true
    sleep 0.05
  done
}

vellum_run() {
  local s3bucket="vb-vellum-$1-$RANDOM$RANDOM" t0 t1 code
  s3cli s3 mb "s3://$s3bucket" > /dev/null
  VELLUM_DEFAULT_LOCATION="s3://$s3bucket?endpoint=$VELLUM_TEST_S3&region=us-east-1" \
    VELLUM_S3_ACCESS_KEY_ID="$VELLUM_TEST_S3_ACCESS_KEY_ID" \
    VELLUM_S3_SECRET_ACCESS_KEY="$VELLUM_TEST_S3_SECRET_ACCESS_KEY" start_server  # passed on to the daemon
  : > "$OUT/rss_anon.txt"
  rss_anon_sampler "$SERVER_PID" "$OUT/rss_anon.txt" &
  SAMPLER_PID=$!
  local bucket; bucket=$(mkbucket)
  local url="$BASE/files/$bucket/big.bin" auth="Authorization: Bearer $TOKEN"

  t0=$(now)
  code=$(curl -s -o "$OUT/put.json" -w '%{http_code}' -X PUT -T "$BIG" -H "$auth" \
    -H "Content-Type: application/octet-stream" "$url")
  t1=$(now)
  [ "$code" = 200 ] || { echo "vellum upload failed: $code $(cat "$OUT/put.json")" >&2; exit 1; }
  local checksum
  checksum=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checksum"])' "$OUT/put.json")
  [ "$checksum" = "md5:$MD5" ] || { echo "vellum upload: checksum $checksum, expected md5:$MD5" >&2; exit 1; }
  VELLUM_UP=$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)
  emit "vellum_s3_upload_$LABEL" "$VELLUM_UP" MB/s

  t0=$(now)
  code=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" "$url")
  t1=$(now)
  [ "$code" = "200 $SIZE" ] || { echo "vellum download failed: $code" >&2; exit 1; }
  VELLUM_DOWN=$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)
  emit "vellum_s3_download_$LABEL" "$VELLUM_DOWN" MB/s

  emit "server_peak_rss_s3_${LABEL}_roundtrip" "$(awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")" MiB
  stop_sampler
  emit "server_peak_rss_anon_s3_${LABEL}_roundtrip" "$(awk '{printf "%.1f", $1/1024}' "$OUT/rss_anon.txt")" MiB
  stop_server
  s3cli s3 rb --force "s3://$s3bucket" > /dev/null
}

aws_run() {
  local s3bucket="vb-aws-$1-$RANDOM$RANDOM" t0 t1
  s3cli s3 mb "s3://$s3bucket" > /dev/null
  t0=$(now); s3cli s3api head-bucket --bucket "$s3bucket" > /dev/null; t1=$(now)
  emit aws_head_bucket_seconds "$(calc "$t1 - $t0" 3)" s

  t0=$(now)
  s3cli s3 cp --only-show-errors "$BIG" "s3://$s3bucket/big.bin"
  t1=$(now)
  AWS_UP=$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)
  emit "aws_s3_upload_$LABEL" "$AWS_UP" MB/s

  local size; size=$(s3cli s3api head-object --bucket "$s3bucket" --key big.bin --query ContentLength --output text)
  [ "$size" = "$SIZE" ] || { echo "aws upload: $size bytes stored, expected $SIZE" >&2; exit 1; }

  # One GET streamed to /dev/null, as Vellum reads the blob; see the head of this file for why not `aws s3 cp`.
  t0=$(now)
  size=$(AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
    s3cli s3api get-object --bucket "$s3bucket" --key big.bin --query ContentLength --output text /dev/null)
  t1=$(now)
  [ "$size" = "$SIZE" ] || { echo "aws download: $size bytes, expected $SIZE" >&2; exit 1; }
  AWS_DOWN=$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)
  emit "aws_s3_download_$LABEL" "$AWS_DOWN" MB/s
  s3cli s3 rb --force "s3://$s3bucket" > /dev/null
}

one_run() {
  local r=$1 t0 t1
  cat "$BIG" > /dev/null
  t0=$(now); MD5=$(openssl dgst -md5 -r "$BIG" | cut -d' ' -f1); t1=$(now)
  emit openssl_md5 "$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)" MB/s

  if [ "$VELLUM" != 1 ]; then aws_run "$r"; return; fi
  if [ $((r % 2)) = 1 ]; then vellum_run "$r"; aws_run "$r"; else aws_run "$r"; vellum_run "$r"; fi
  emit vellum_over_aws_s3_upload "$(calc "$VELLUM_UP / $AWS_UP")" ratio
  emit vellum_over_aws_s3_download "$(calc "$VELLUM_DOWN / $AWS_DOWN")" ratio
}

for r in $(seq 1 "$RUNS"); do
  echo "=== run $r/$RUNS ===" >&2
  one_run "$r"
done

medians > "$OUT/results.txt"
echo "=== medians of $RUNS runs ($OUT/results.txt) ==="
cat "$OUT/results.txt"
