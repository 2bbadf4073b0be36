#!/usr/bin/env bash
# Sets everything up, builds, and runs the daemon on its embedded defaults (SQLite + local disk in ./var,
# http://127.0.0.1:5000). Extra arguments go to `vellum serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
scripts/preview-assets.sh "${VELLUM_PREVIEW_ASSETS:-${VELLUM_DATA_DIR:-var}/preview-assets}"  # pinned, hash-checked
swift build -c release --product vellum
exec .build/release/vellum serve "$@"
