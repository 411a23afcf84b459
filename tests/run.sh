#!/usr/bin/env bash
# One command on a fresh machine: install everything the tests need, lint, run the whole suite.
#   bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source dashboard/install.sh  # uv, the locked packages, chromium and CJK fonts for the browser tests
# The sign-in tests run a real OpenID Connect provider (npm oidc-provider, pinned in tests/oidc/package-lock.json).
[ -d tests/oidc/node_modules ] || npm ci --prefix tests/oidc --no-audit --no-fund
uv run ruff check .
uv run pytest "$@"
