#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (debug build). Tests start their own daemons on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build
