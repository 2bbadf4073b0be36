#!/usr/bin/env bash
# Installs the Debian packages Vellum builds and tests with (idempotent; run as root on Debian).
set -euo pipefail
PACKAGES=(libmagic-dev libvips-dev libtiff-dev libjpeg-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libarchive-dev libxml2-dev poppler-utils
  postgresql curl openssl python3 python3-venv)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "swift toolchain not found (expected in /opt/swift)" >&2; exit 1; }
