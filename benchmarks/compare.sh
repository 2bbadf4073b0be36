#!/usr/bin/env bash
# A change against the revision before it, on this machine in one run: builds BASE (default HEAD~1) in release mode
# in a worktree of its own (/tmp/vellum-compare-base, kept between runs) and the working tree here, then runs
# SCRIPT (run.sh or iiif.sh, without the peer) ROUNDS times for each, alternating, and prints every figure of the
# working tree as a ratio to BASE's (medians), flagging those more than 5 % worse. Both sides are driven by the
# working tree's scripts and load generator (vellum-bench).
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
  for side in $order; do
    bin="$PWD/.build/release/vellum"
    [ "$side" = base ] && bin="$WORKTREE/.build/release/vellum"
    echo "=== round $r/$ROUNDS: $side ===" >&2
    OUT_DIR="$OUT/$side-$r" VELLUM_BIN="$bin" VELLUM_BENCH_BIN="$PWD/.build/release/vellum-bench" PEER=0 RUNS=1 "benchmarks/$SCRIPT" > "$OUT/$side-$r.log"
  done
done

python3 - "$OUT" "$ROUNDS" "$BASE_REV" <<'PY'
import glob, statistics, sys
out, rounds, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def figures(side):
    values = {}
    for path in glob.glob(f"{out}/{side}-*/raw.txt"):
        for line in open(path):
            name, rest = line.split(":", 1)
            value, unit = rest.split()
            values.setdefault(name, ([], unit))[0].append(float(value))
    return {name: (statistics.median(v), unit) for name, (v, unit) in values.items()}
old, new = figures("base"), figures("new")
# Lower is better for times, latencies and memory; higher for rates and ratios of rates.
lower = lambda name, unit: unit in ("ms", "MiB", "s") or name.endswith(("_p99", "_seconds"))
print(f"=== working tree against {base[:10]}, medians of {rounds} rounds each ===")
worse = 0
for name in sorted(new):
    if new[name][1] == "count":
        if name.endswith("_errors") and new[name][0] > 0:
            worse += 1
            print(f"{name}: {new[name][0]:g}  <-- errors")
        continue
    if name not in old or old[name][0] == 0:
        continue
    (a, unit), b = old[name], new[name][0]
    change = (a / b - 1) if lower(name, unit) else (b / a - 1)   # positive: better
    flag = "  <-- more than 5 % worse" if change < -0.05 else ""
    worse += bool(flag)
    print(f"{name}: {a:g} -> {b:g} {unit} ({change:+.1%}){flag}")
print(f"figures more than 5 % worse: {worse}")
PY
