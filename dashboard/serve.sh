#!/usr/bin/env bash
# One command on a fresh machine: install, build the warehouse from the shipped sample data, serve the app.
#   bash dashboard/serve.sh            (then open http://localhost:8501)
# PORT=8600 changes the port; ECMON_HOME chooses where the kept files and the warehouse live.
# Sign-in: SECRETS=/etc/ecmon/secrets.toml names a Streamlit secrets file with an [auth] section (an OpenID Connect
# provider: the province's unified identity, or the bureau's Keycloak); without it the app is read-only for everyone.
# ECMON_DEMO_LOGIN=1 switches on demo accounts (never for real data: every page says so).
# Only this machine can open the app (ADDRESS=localhost). ADDRESS=0.0.0.0 (or one interface's address) opens it to
# the network; do that only with SECRETS set, behind https.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
uv sync --frozen --quiet
# The meeting deck's PDF (总览 → 会议材料, python -m etl briefing) is printed by Debian's chromium; without CJK
# fonts every Chinese character would be a box.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
# The sample files with their send dates (data/sample/manifest/报送日期.csv, `python -m etl load --dates`): every
# report, then each correction (*_9_*) in a load of its own, changing a value already published (已更正 on 总览).
uv run python -m etl.sample load data/sample
SIGN_IN=()
[ -n "${SECRETS:-}" ] && SIGN_IN=(--secrets.files "$SECRETS")
exec uv run streamlit run dashboard/app.py --server.port "${PORT:-8501}" --server.address "${ADDRESS:-localhost}" \
  --server.headless true "${SIGN_IN[@]}"
