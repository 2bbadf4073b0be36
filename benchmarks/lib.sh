# Shared by the benchmark scripts (sourced): the release build, inputs, arithmetic, result lines, and one release
# daemon on a free port (or several at once). Expects OUT (results folder); sets BIN and BENCH, BASE, TOKEN and
# SERVER_PID.

# Builds the daemon and vellum-bench in release mode and names them BIN and BENCH; with VELLUM_BIN (and
# VELLUM_BENCH_BIN) set, uses those instead (benchmarks/compare.sh runs another revision's binaries).
build_release() {
  if [ -n "${VELLUM_BIN:-}" ]; then
    BIN="$VELLUM_BIN"; BENCH="${VELLUM_BENCH_BIN:-$(dirname "$VELLUM_BIN")/vellum-bench}"
    return
  fi
  swift build -c release --product vellum >&2
  swift build -c release --product vellum-bench >&2
  BIN=.build/release/vellum
  BENCH=.build/release/vellum-bench
}

# Creates $1 with $2 random bytes unless it is already there at that size.
ensure_input() {
  if [ ! -f "$1" ] || [ "$(stat -c %s "$1")" != "$2" ]; then
    echo "# generating $1" >&2
    head -c "$2" /dev/urandom > "$1"
  fi
}

# The 1 GiB random input the peer uses too: BIG (in INPUT_DIR) and BIG_SIZE, made once.
big_input() {
  INPUT_DIR="${INPUT_DIR:-/tmp/invenio-bench-input}"
  BIG="$INPUT_DIR/big-1GiB.bin"
  BIG_SIZE=1073741824
  mkdir -p "$INPUT_DIR"
  ensure_input "$BIG" "$BIG_SIZE"
}

calc() { python3 -c "print(f'{($1):.${2:-2}f}')"; }
# A result line, in $OUT/raw.txt (or $OUT/$RAW).
emit() { echo "$1: $2 $3" | tee -a "$OUT/${RAW:-raw.txt}"; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

SERVER_PID=""
SERVER_PIDS=()
# Stops every daemon start_server started.
stop_server() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  SERVER_PIDS=(); SERVER_PID=""
}
trap 'stop_server; rm -rf "$OUT/runs"' EXIT

# A fresh daemon on a new, empty data directory, waited for until /health answers.
# The data directories are deleted only when the script ends. On ext4 without a journal (this project's machines),
# allocating an inode skips, one by one, the inodes freed in the last minutes near it: deleting the previous run's
# thousands of files just before a run made its small PUTs up to 30 % slower, a cost of the benchmark's own
# clean-up. The parent is marked as a top directory (`chattr +T`), so ext4 places each new one in a fresh block group.
start_server() {
  mkdir -p "$OUT/runs"; chattr +T "$OUT/runs" 2>/dev/null || true
  DATA=$(mktemp -d "$OUT/runs/data.XXXXXX")
  local port; port=$(free_port); BASE="http://127.0.0.1:$port"; TOKEN="bench-token-$RANDOM$RANDOM$RANDOM-$$"
  VELLUM_DATA_DIR="$DATA" VELLUM_PORT="$port" VELLUM_BOOTSTRAP_TOKEN="$TOKEN" VELLUM_LOG_LEVEL=warning \
    "$BIN" serve 2>>"$OUT/server.log" &
  SERVER_PID=$!; SERVER_PIDS+=("$SERVER_PID")
  for _ in $(seq 1 200); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

mkbucket() {
  curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$BASE/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# Medians of every figure in $OUT/raw.txt, one `name: value unit` line each.
medians() {
  python3 - "$OUT/raw.txt" <<'PY'
import statistics, sys
values = {}
for line in open(sys.argv[1]):
    name, rest = line.split(":", 1)
    value, unit = rest.split()
    values.setdefault(name, ([], unit))[0].append(float(value))
for name, (vals, unit) in values.items():
    print(f"{name}: {statistics.median(vals):g} {unit}  (runs: {', '.join(f'{v:g}' for v in vals)})")
PY
}
