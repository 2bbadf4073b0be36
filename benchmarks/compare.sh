#!/usr/bin/env bash
# A change against the revision before it, on this machine in one run: builds BASE (default HEAD~1) in release mode
# in a worktree of its own (/tmp/vellum-compare-base, kept between runs) and the working tree here, then runs
# SCRIPT (run.sh or iiif.sh, without the peer) ROUNDS times for each, alternating, and prints every figure of the
# working tree against BASE's: the median over the rounds of the round's ratio (the two sides of a round ran close
# together in time, so a machine whose speed drifts over minutes moves both alike), flagging those more than 5 %
# worse. iiif.sh runs both daemons at once and measures them turn about, every wrk run of one next to the same of the
# other (VELLUM_BIN_B). Both sides are driven by the working tree's scripts and load generator (vellum-bench).
# Usage: benchmarks/compare.sh [SCRIPT] [BASE] [ROUNDS]; other env as for SCRIPT (RUNS=1 per round).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
SCRIPT="${1:-run.sh}"
BASE="${2:-HEAD~1}"
ROUNDS="${3:-3}"
OUT="${OUT_DIR:-/tmp/vellum-compare}/${SCRIPT%.sh}"
WORKTREE=/tmp/vellum-compare-base
rm -rf "$OUT"; mkdir -p "$OUT"

BASE_REV=$(git rev-parse "$BASE")
if [ ! -d "$WORKTREE" ]; then git worktree add --detach "$WORKTREE" "$BASE_REV" >&2; fi
git -C "$WORKTREE" checkout -q --detach "$BASE_REV"
(cd "$WORKTREE" && swift build -c release --product vellum >&2)
swift build -c release --product vellum >&2
swift build -c release --product vellum-bench >&2

for r in $(seq 1 "$ROUNDS"); do
  # ABBA: each side goes first in every other round, so that drift over the run (and the after-effects of the
  # previous run's deletions, see lib.sh) fall on both alike.
  order="base new"; [ $((r % 2)) = 0 ] && order="new base"
  set -- $order
  declare -A bin=([base]="$WORKTREE/.build/release/vellum" [new]="$PWD/.build/release/vellum")
  export VELLUM_BENCH_BIN="$PWD/.build/release/vellum-bench" PEER=0 RUNS=1
  if [ "$SCRIPT" = iiif.sh ]; then
    echo "=== round $r/$ROUNDS: $1 and $2 turn about ===" >&2
    OUT_DIR="$OUT/$1-$r" VELLUM_BIN="${bin[$1]}" VELLUM_BIN_B="${bin[$2]}" "benchmarks/$SCRIPT" > "$OUT/$1-$r.log"
    mkdir -p "$OUT/$2-$r"; mv "$OUT/$1-$r/raw-b.txt" "$OUT/$2-$r/raw.txt"
    continue
  fi
  for side in $order; do
    echo "=== round $r/$ROUNDS: $side ===" >&2
    OUT_DIR="$OUT/$side-$r" VELLUM_BIN="${bin[$side]}" "benchmarks/$SCRIPT" > "$OUT/$side-$r.log"
  done
done

python3 - "$OUT" "$ROUNDS" "$BASE_REV" <<'PY'
import glob, statistics, sys
out, rounds, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def figures(side):
    """{name: ({round: median of the round's values}, unit)}"""
    values = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{side}-{r}/raw.txt"):
            name, rest = line.split(":", 1)
            value, unit = rest.split()
            values.setdefault(name, ({}, unit))[0].setdefault(r, []).append(float(value))
    return {name: ({r: statistics.median(v) for r, v in per.items()}, unit) for name, (per, unit) in values.items()}
old, new = figures("base"), figures("new")
# Lower is better for times, latencies and memory; higher for rates and ratios of rates.
lower = lambda name, unit: unit in ("ms", "MiB", "s") or name.endswith(("_p99", "_seconds"))
print(f"=== working tree against {base[:10]}: medians of {rounds} rounds, change = median of the rounds' ratios ===")
worse = 0
for name in sorted(new):
    per, unit = new[name]
    if unit == "count":
        if name.endswith("_errors") and max(per.values()) > 0:
            worse += 1
            print(f"{name}: {max(per.values()):g}  <-- errors")
        continue
    pairs = [(old[name][0][r], b) for r, b in per.items() if name in old and old[name][0].get(r)]
    if not pairs:
        continue
    # positive: better
    change = statistics.median((a / b - 1) if lower(name, unit) else (b / a - 1) for a, b in pairs)
    flag = "  <-- more than 5 % worse" if change < -0.05 else ""
    worse += bool(flag)
    a, b = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
    print(f"{name}: {a:g} -> {b:g} {unit} ({change:+.1%}; rounds {' '.join(f'{b / a - 1:+.0%}' for a, b in pairs)}){flag}")
print(f"figures more than 5 % worse: {worse}")
PY
