#!/usr/bin/env bash
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; this project is pinned to 3.10.
set -euo pipefail
if ! command -v python3.10 >/dev/null 2>&1 || ! python3.10 -c 'import sys' >/dev/null 2>&1; then
  cat >&2 <<'MSG'
error: python3.10 was not found.
  Rasa Open Source 3.6 supports Python 3.8-3.10 only, and this project is tested on 3.10.13.
  - with pyenv:  pyenv install 3.10.13   (the .python-version file in this folder then selects it)
  - on Debian/Ubuntu: install python3.10 and python3.10-venv from your distribution or the deadsnakes PPA
  Then run `make install` again.
MSG
  exit 1
fi
version=$(python3.10 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" != "3.10" ]; then
  echo "error: python3.10 resolves to Python $version; Rasa 3.6 needs 3.10 here." >&2
  exit 1
fi
if ! python3.10 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "error: python3.10 has no venv/ensurepip module; install python3.10-venv." >&2
  exit 1
fi
