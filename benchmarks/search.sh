#!/usr/bin/env bash
# Release-mode benchmark of search (api.md §9) on SQLite and on PostgreSQL, N (100,000) records made from this
# machine's Debian packages (benchmarks/search_bench.py):
#   - the indexing rate while importing: records published per second through the API by 8 clients (each a draft
#     and its publish, the index written in the publish's transaction);
#   - queries per second and p50/p99 of four kinds of query, 50 of each picked at random by wrk (8 connections,
#     DURATION s after WARMUP s; every answer checked for its total by benchmarks/resolve.lua): a word, a phrase, a
#     field (`title:word`), and a word with two facets chosen (`resource_type`, `license`). Every Vellum answer also
#     counts the five facets.
#   - the reference, measured in the same run: PostgreSQL's own full-text query run directly by pgbench (8 clients)
#     on the daemon's own index: the page of 10 ranked hits and the total, no facets, no HTTP. Invenio's search
#     needs an Elasticsearch/OpenSearch cluster, which cannot run here.
# Prints `name: value unit` lines (also in $OUT/results.txt) and the ratios to the reference. Env: N, DURATION (10),
# WARMUP (3), BACKENDS ("sqlite postgres"; without postgres, no reference).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
N="${N:-100000}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
OUT="${OUT_DIR:-/tmp/vellum-bench-search}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh
build_release
command -v wrk >/dev/null || apt-get install -y -q wrk >&2
source scripts/postgres.sh
PG_FSYNC=on pg_start
trap 'stop_server; pg_stop; rm -rf "$OUT/runs"' EXIT

# wrk over $2 (targets); `name: value` lines in $1.out; fails on a wrong answer or a socket error.
run_wrk() {
  wrk -t 8 -c 8 -d "${3}s" --timeout 10s -s benchmarks/resolve.lua "$BASE" -- "$2" total > "$1.out"
  if ! grep -q '^mismatches: 0$' "$1.out" || ! grep -q '^socket_errors: 0$' "$1.out"; then cat "$1.out" >&2; exit 1; fi
}

for backend in ${BACKENDS:-sqlite postgres}; do
  database=""
  if [ "$backend" = postgres ]; then
    psql "$VELLUM_TEST_POSTGRES" -q -c "CREATE DATABASE bench_search"
    database=$(echo "$VELLUM_TEST_POSTGRES" | sed "s#/postgres?#/bench_search?#")
  fi
  if [ -n "$database" ]; then export VELLUM_DATABASE_URL="$database"; fi
  start_server
  unset VELLUM_DATABASE_URL
  python3 benchmarks/search_bench.py import "$BASE" "$TOKEN" "$N" | sed "s/^/${backend}_/" | tee -a "$OUT/raw.txt"
  mkdir -p "$OUT/$backend"
  python3 benchmarks/search_bench.py targets "$BASE" "$OUT/$backend"
  for kind in word phrase field facets; do
    run_wrk "$OUT/$backend/$kind-warmup" "$OUT/$backend/$kind.tsv" "$WARMUP"
    run_wrk "$OUT/$backend/$kind" "$OUT/$backend/$kind.tsv" "$DURATION"
    emit "${backend}_search_${kind}_rps" "$(awk '/^rps:/{print $2}' "$OUT/$backend/$kind.out")" req/s
    emit "${backend}_search_${kind}_p50_ms" "$(awk '/^p50_ms:/{print $2}' "$OUT/$backend/$kind.out")" ms
    emit "${backend}_search_${kind}_p99_ms" "$(awk '/^p99_ms:/{print $2}' "$OUT/$backend/$kind.out")" ms
  done
  stop_server
done

# The reference: the same queries straight to PostgreSQL, on the index the daemon left.
[[ " ${BACKENDS:-postgres} " == *" postgres "* ]] || exit 0
url=$(echo "$VELLUM_TEST_POSTGRES" | sed "s#/postgres?#/bench_search?#")
psql "$url" -q -c "CREATE TABLE bench_words (n INT, word TEXT); CREATE TABLE bench_phrases (n INT, phrase TEXT)"
awk '{print NR "\t" $0}' "$OUT/postgres/words.txt" | psql "$url" -q -c "\\copy bench_words FROM STDIN"
awk '{print NR "\t" $0}' "$OUT/postgres/phrases.txt" | psql "$url" -q -c "\\copy bench_phrases FROM STDIN"
visible="d.is_latest AND d.public_from <= 9000000000000000000"
for kind in word phrase field facets; do
  case $kind in
    word) from="bench_words b, phraseto_tsquery('simple', b.word) q"; match="d.tsv @@ q" ;;
    phrase) from="bench_phrases b, phraseto_tsquery('simple', b.phrase) q"; match="d.tsv @@ q" ;;
    field) from="bench_words b, phraseto_tsquery('simple', b.word) q"; match="d.tsv_title @@ q" ;;
    facets) from="bench_words b, phraseto_tsquery('simple', b.word) q"; match="d.tsv @@ q AND d.resource_type = 'software' AND d.license = 'mit'" ;;
  esac
  count=50; [ "$kind" = phrase ] && count=$(wc -l < "$OUT/postgres/phrases.txt")
  cat > "$OUT/pg-$kind.sql" <<SQL
\\set n random(1, $count)
SELECT d.id FROM search_docs d, $from WHERE b.n = :n AND $match AND $visible ORDER BY ts_rank_cd(d.tsv, q) DESC, d.created DESC, d.id DESC LIMIT 10;
SELECT COUNT(*) FROM search_docs d, $from WHERE b.n = :n AND $match AND $visible;
SQL
  pgbench -n -c 8 -j 2 -T "$WARMUP" -f "$OUT/pg-$kind.sql" "$url" > /dev/null
  rm -f "$OUT"/pgbench_log.*
  (cd "$OUT" && pgbench -n -c 8 -j 2 -T "$DURATION" -l -f "pg-$kind.sql" "$url" > "pg-$kind.out")
  emit "pgdirect_search_${kind}_rps" "$(awk '/^tps = /{print $3}' "$OUT/pg-$kind.out")" req/s
  emit "pgdirect_search_${kind}_p99_ms" "$(cat "$OUT"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.99)]/1000}')" ms
done

cp "$OUT/raw.txt" "$OUT/results.txt"
echo "== Vellum / PostgreSQL's full-text query run directly (req/s)"
python3 - "$OUT/results.txt" <<'PY'
import re, sys
fig = {m[1]: float(m[2]) for m in re.finditer(r"^(\S+): ([0-9.]+)", open(sys.argv[1]).read(), re.M)}
for backend in ("sqlite", "postgres"):
    for kind in ("word", "phrase", "field", "facets"):
        v, r = fig.get(f"{backend}_search_{kind}_rps"), fig.get(f"pgdirect_search_{kind}_rps")
        if v and r:
            print(f"{backend}_{kind}: {v / r:.2f} x  (Vellum {v:g}/s p99 {fig[f'{backend}_search_{kind}_p99_ms']:g} ms, "
                  f"PostgreSQL direct {r:g}/s p99 {fig[f'pgdirect_search_{kind}_p99_ms']:g} ms)")
PY
