#!/usr/bin/env bash
# One command on a fresh machine: install everything the tests need, lint, run the whole suite.
#   bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
uv sync --frozen --quiet
# The end-to-end tests drive Debian's chromium; without CJK fonts every Chinese character is a box.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
# The sign-in tests run a real OpenID Connect provider (npm oidc-provider, pinned in tests/oidc/package-lock.json).
[ -d tests/oidc/node_modules ] || npm ci --prefix tests/oidc --no-audit --no-fund
uv run ruff check .
uv run pytest "$@"
