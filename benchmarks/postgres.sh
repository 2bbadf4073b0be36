#!/usr/bin/env bash
# Release-mode benchmark of the metadata stores: 4 KiB PUT and GET rates with 8 concurrent clients (vellum-bench,
# every acknowledged PUT durable) against
#   - sqlite-1:   one daemon on SQLite (the default);
#   - postgres-1: one daemon on PostgreSQL;
#   - postgres-2: two daemons on one PostgreSQL database and one data directory, the clients' requests spread over
#                 both (round-robin),
# each on a fresh data directory and database, RUNS times (medians). PostgreSQL is a throw-away cluster started by
# scripts/postgres.sh (Debian's server, fsync on: the benchmark measures durable commits on both databases).
# Prints `name: value unit` lines (also in $OUT/results.txt) and ratios to sqlite-1. Env: RUNS (3), N (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
N="${N:-2000}"
OUT="${OUT_DIR:-/tmp/vellum-bench-postgres}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh
build_release
source scripts/postgres.sh
PG_FSYNC=on pg_start
trap 'stop_daemons; pg_stop; rm -rf "$OUT/runs"' EXIT

PIDS=()
# Starts $1 daemons on one new data directory and database URL $2 (empty: SQLite); sets BASE (comma-separated).
start_daemons() {
  local count=$1 database=$2 urls=()
  mkdir -p "$OUT/runs"; DATA=$(mktemp -d "$OUT/runs/data.XXXXXX"); TOKEN="bench-token-$RANDOM$RANDOM$RANDOM"
  for _ in $(seq 1 "$count"); do
    local port; port=$(free_port)
    env VELLUM_DATA_DIR="$DATA" VELLUM_PORT="$port" VELLUM_BOOTSTRAP_TOKEN="$TOKEN" VELLUM_LOG_LEVEL=warning \
      ${database:+VELLUM_DATABASE_URL="$database"} "$BIN" serve 2>>"$OUT/server.log" &
    PIDS+=($!)
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.05; done
    urls+=("http://127.0.0.1:$port")
  done
  BASE=$(IFS=,; echo "${urls[*]}")
}

stop_daemons() {
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

for r in $(seq 1 "$RUNS"); do
  for config in sqlite-1 postgres-1 postgres-2; do
    database=""
    if [[ $config == postgres-* ]]; then
      name="bench_${r}_${config/-/_}"
      psql "$VELLUM_TEST_POSTGRES" -q -c "CREATE DATABASE $name"
      database=$(echo "$VELLUM_TEST_POSTGRES" | sed "s#/postgres?#/$name?#")
    fi
    start_daemons "${config#*-}" "$database"
    bucket=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" "${BASE%%,*}/files" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    VELLUM_BENCH_PHASES=put,get "$BENCH" "$BASE" "$TOKEN" "$bucket" "$N" 4096 8 0 \
      | sed "s/^/${config}_/" | tee -a "$OUT/raw.txt"
    stop_daemons
  done
done

medians > "$OUT/results.txt"
echo "=== medians of $RUNS runs ($OUT/results.txt) ==="
cat "$OUT/results.txt"
python3 - "$OUT/results.txt" <<'PY'
import sys
fig = {}
for line in open(sys.argv[1]):
    name, value, unit = line.split()[:3]
    if unit == "objects/s":  # e.g. postgres-2_small_put_2000x4KiB_c8_rate
        config, phase = name.split("_")[0], "_".join(name.split("_")[1:3])
        fig[(config, phase)] = float(value)
for phase in ("small_put", "small_get"):
    base = fig.get(("sqlite-1", phase))
    for config in ("sqlite-1", "postgres-1", "postgres-2"):
        value = fig.get((config, phase))
        if value and base:
            print(f"{phase} {config}: {value:.1f} objects/s ({value / base:.2f}x sqlite-1)")
PY
