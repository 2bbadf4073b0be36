#!/usr/bin/env bash
# Builds the libFuzzer targets for Vellum's pure parsers straight from the sources (swiftc -sanitize=fuzzer,address,
# no SwiftPM) and runs each for a fixed number of executions with a fixed seed. Exit status 1 on any finding.
#   FUZZ_BUILD    build and work directory (default /tmp/vellum-fuzz); never the source tree
#   FUZZ_RUNS     executions per target (default 200000)
#   FUZZ_TARGETS  which targets (default "httpdate byteranges objectkey iiif")
#   FUZZ_SRC      the tree whose Sources/ and iiif/ are fuzzed (default: this checkout), e.g. an older worktree
set -uo pipefail
cd "$(dirname "$0")/../.."
SRC=${FUZZ_SRC:-$PWD}
export SWIFT_BACKTRACE=enable=no  # libFuzzer reports crashes itself; Swift's backtracer confuses ASan
SWIFTC=${SWIFTC:-/opt/swift/usr/bin/swiftc}
BUILD=${FUZZ_BUILD:-/tmp/vellum-fuzz}
RUNS=${FUZZ_RUNS:-200000}
TARGETS=${FUZZ_TARGETS:-httpdate byteranges objectkey iiif}
FLAGS=(-swift-version 6 -parse-as-library -O -sanitize=fuzzer,address -use-ld=lld)
CORE=("$SRC"/Sources/VellumCore/{DomainError,FilesError,HTTPDate,ObjectKey}.swift)
IIIF=(IIIFError Region Size Rotation Quality ImageFormat ImageRequest IIIFNumber IIIFIdentifier IIIFVersion PixelRect Limits ImageInfo)

sources() {  # the sources a target checks, besides the VellumCore subset it links
  case "$1" in
    httpdate) echo fuzz/parsers/HTTPDateFuzz.swift ;;
    byteranges) echo fuzz/parsers/ByteRangesFuzz.swift "$SRC/Sources/VellumHTTPSupport/ByteRanges.swift" ;;
    objectkey) echo fuzz/parsers/ObjectKeyFuzz.swift ;;
    iiif) echo fuzz/parsers/IIIFFuzz.swift; printf "$SRC/iiif/IIIFGrammar/%s.swift\n" "${IIIF[@]}" ;;
  esac
}

mkdir -p "$BUILD/lib"
echo "--- building the parser fuzz targets in $BUILD"
# The real domain errors, HTTPDate and ObjectKey as a small module named VellumCore (the IIIF grammar needs none of it:
# it imports no Vellum target), with the genuine types and without the rest of VellumCore.
"$SWIFTC" "${FLAGS[@]}" -module-name VellumCore -emit-module -emit-module-path "$BUILD/lib/VellumCore.swiftmodule" \
  -emit-library -static -o "$BUILD/lib/libVellumCore.a" "${CORE[@]}" || exit 1
for t in $TARGETS; do
  # shellcheck disable=SC2046
  "$SWIFTC" "${FLAGS[@]}" -module-name "Fuzz_$t" -I "$BUILD/lib" -L "$BUILD/lib" -lVellumCore \
    fuzz/parsers/FuzzSupport.swift $(sources "$t") -o "$BUILD/$t" || exit 1
done

findings=0
for t in $TARGETS; do
  # A fresh work corpus each run (seeded from the committed one) keeps `-seed=1` runs reproducible.
  rm -rf "$BUILD/corpus-$t" "$BUILD/artifacts-$t"
  mkdir -p "$BUILD/corpus-$t" "$BUILD/artifacts-$t"
  cat fuzz/parsers/dict/numbers.dict "fuzz/parsers/dict/$t.dict" > "$BUILD/$t.dict"
  "$BUILD/$t" -seed=1 -runs="$RUNS" -max_len=1100 -use_value_profile=1 -max_total_time=120 -print_final_stats=1 \
    -dict="$BUILD/$t.dict" -artifact_prefix="$BUILD/artifacts-$t/" "$BUILD/corpus-$t" "fuzz/parsers/corpus/$t" \
    > "$BUILD/$t.log" 2>&1
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$BUILD/$t.log" | grep -o '[0-9]*$' || true)
  crash=$(ls "$BUILD/artifacts-$t"/* 2>/dev/null | head -1)
  if [ $status -ne 0 ] || [ -n "$crash" ]; then
    findings=$((findings + 1))
    echo "libFuzzer $t: FINDING after ${execs:-?} executions (exit $status)"
    grep -E 'INVARIANT FAILED|Fatal error|ERROR: AddressSanitizer' "$BUILD/$t.log" | head -3 | sed 's/^/  /'
    if ! grep -q 'INVARIANT FAILED' "$BUILD/$t.log"; then  # a trap: where, as the first Swift frame of the stack
      grep -E -m1 '#[0-9]+ 0x[0-9a-f]+ in \$s' "$BUILD/$t.log" | "$(dirname "$SWIFTC")/swift-demangle" --simplified \
        | sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in /  trapped in /; s/ \((\/|BuildId).*$//; s/ [^ ]+\.o$//'
    fi
    if [ -n "$crash" ]; then
      echo "  input: $(python3 -c 'import sys; print(repr(open(sys.argv[1], "rb").read()))' "$crash")"
      echo "  reproduce: FUZZ_TARGETS=$t fuzz/parsers/run.sh, then $BUILD/$t $crash"
    fi
  else
    echo "libFuzzer $t: ${execs:-?} executions, no finding"
  fi
done
exit $((findings > 0))
