#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright's Python driver (pinned in
# requirements.lock). Playwright's own browser download is never used: it needs the network.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: Chromium is not installed. Install Debian's package: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium package ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
command -v chromium
